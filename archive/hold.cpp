#include "archive/hold.h"

#include "archive/glob.h"

#include <algorithm>

namespace mf::archive {
namespace {

bool contains(const std::string& haystack, const std::string& needle_lower) {
  return mime::lower(haystack).find(needle_lower) != std::string::npos;
}

bool is_placement_field(const std::string& field) { return field == "account" || field == "folder"; }

}  // namespace

Result<HoldQuery> HoldQuery::parse(std::string_view text) {
  HoldQuery q;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == ' ' || text[i] == '\t') {
      ++i;
      continue;
    }
    auto colon = text.find(':', i);
    auto space = text.find_first_of(" \t", i);
    if (colon == std::string_view::npos || (space != std::string_view::npos && space < colon))
      return make_error(Errc::Usage, "hold query: \"" + std::string(text.substr(i, space - i)) +
                                         "\" is not field:value (fields: account, folder, from, to, subject, message-id)");
    std::string field = mime::lower(text.substr(i, colon - i));
    if (field != "account" && field != "folder" && field != "from" && field != "to" && field != "subject" &&
        field != "message-id")
      return make_error(Errc::Usage, "hold query: unknown field \"" + field +
                                         "\" (account, folder, from, to, subject, message-id)");
    i = colon + 1;
    std::string value;
    if (i < text.size() && text[i] == '"') {
      auto close = text.find('"', i + 1);
      if (close == std::string_view::npos) return make_error(Errc::Usage, "hold query: a quote is not closed");
      value = std::string(text.substr(i + 1, close - i - 1));
      i = close + 1;
    } else {
      auto end = text.find_first_of(" \t", i);
      value = std::string(text.substr(i, end == std::string_view::npos ? text.npos : end - i));
      i = end == std::string_view::npos ? text.size() : end;
    }
    if (value.empty()) return make_error(Errc::Usage, "hold query: " + field + ": has no value");
    q.terms_.emplace_back(field, is_placement_field(field) ? value : mime::lower(value));
  }
  if (q.terms_.empty()) return make_error(Errc::Usage, "hold query is empty");
  return q;
}

bool HoldQuery::needs_headers() const {
  return std::any_of(terms_.begin(), terms_.end(), [](const auto& t) { return !is_placement_field(t.first); });
}

bool HoldQuery::matches(const std::vector<std::pair<std::string, std::string>>& placements,
                        const mime::Headers& headers) const {
  for (const auto& [field, value] : terms_) {
    if (is_placement_field(field)) continue;
    std::vector<std::string> names;
    if (field == "from") names = {"From", "Sender"};
    else if (field == "to") names = {"To", "Cc", "Bcc"};
    else if (field == "subject") names = {"Subject"};
    else names = {"Message-ID"};
    bool found = false;
    for (const auto& name : names)
      for (const auto& v : headers.values(name)) found = found || contains(v, value);
    if (!found) return false;
  }
  return std::any_of(placements.begin(), placements.end(), [&](const auto& p) {
    return std::all_of(terms_.begin(), terms_.end(), [&](const auto& t) {
      if (t.first == "account") return glob_match(t.second, p.first);
      if (t.first == "folder") return glob_match(t.second, p.second);
      return true;
    });
  });
}

}  // namespace mf::archive
