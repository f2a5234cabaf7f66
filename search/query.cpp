#include "search/query.h"

#include "core/civil_time.h"
#include "search/schema.h"

#include <nlohmann/json.hpp>
#include <xapian.h>

#include <charconv>
#include <ctime>
#include <optional>

namespace mf::search {
namespace {

constexpr std::int64_t kDay = 86400;

Error bad_query(std::size_t at, const std::string& what) {
  return make_error(Errc::Usage, what, "query at character " + std::to_string(at + 1));
}

std::optional<std::int64_t> number(std::string_view s) {
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size() || n < 0) return std::nullopt;
  return n;
}

// [start, end) of "2023", "2023-05", "2023-05-17"; a relative "30d", "2w", "6m", "1y" is [now - that, now].
std::optional<std::pair<std::int64_t, std::int64_t>> date_span(std::string_view s, std::int64_t now) {
  if (s.size() >= 2 && (s.back() == 'd' || s.back() == 'w' || s.back() == 'm' || s.back() == 'y')) {
    auto n = number(s.substr(0, s.size() - 1));
    if (!n || *n > 100000) return std::nullopt;
    std::int64_t unit = s.back() == 'd' ? kDay : s.back() == 'w' ? 7 * kDay : s.back() == 'm' ? 30 * kDay : 365 * kDay;
    return std::pair{now - *n * unit, now + 1};
  }
  auto y = s.size() >= 4 ? number(s.substr(0, 4)) : std::nullopt;
  if (!y || *y < 1000) return std::nullopt;
  if (s.size() == 4) return std::pair{days_from_civil(*y, 1, 1) * kDay, days_from_civil(*y + 1, 1, 1) * kDay};
  if (s.size() < 7 || s[4] != '-') return std::nullopt;
  auto m = number(s.substr(5, 2));
  if (!m || *m < 1 || *m > 12) return std::nullopt;
  auto month = static_cast<unsigned>(*m);
  if (s.size() == 7) {
    std::int64_t next_y = month == 12 ? *y + 1 : *y;
    unsigned next_m = month == 12 ? 1 : month + 1;
    return std::pair{days_from_civil(*y, month, 1) * kDay, days_from_civil(next_y, next_m, 1) * kDay};
  }
  if (s.size() != 10 || s[7] != '-') return std::nullopt;
  auto d = number(s.substr(8, 2));
  if (!d || *d < 1 || *d > 31) return std::nullopt;
  std::int64_t day = days_from_civil(*y, month, static_cast<unsigned>(*d));
  return std::pair{day * kDay, (day + 1) * kDay};
}

// "1M" -> 1048576: K, M, G are 1024, 1024², 1024³ (as mail clients show sizes).
std::optional<std::int64_t> size_value(std::string_view s) {
  std::int64_t unit = 1;
  if (!s.empty() && (s.back() == 'K' || s.back() == 'k')) unit = 1024;
  else if (!s.empty() && (s.back() == 'M' || s.back() == 'm')) unit = 1024 * 1024;
  else if (!s.empty() && (s.back() == 'G' || s.back() == 'g')) unit = 1024 * 1024 * 1024;
  if (unit != 1) s.remove_suffix(1);
  auto n = number(s);
  if (!n || *n > (INT64_MAX / unit)) return std::nullopt;
  return *n * unit;
}

Result<std::string> date_range(std::string_view value, std::size_t at, std::int64_t now) {
  auto fault = [&] {
    return bad_query(at, "date:" + std::string(value) +
                             " is no date or range of dates (2023, 2023-05, 2023-05-17, 30d, 2w, 6m, 1y, A..B, ..B, A..)");
  };
  auto dots = value.find("..");
  std::string_view from = dots == std::string_view::npos ? value : value.substr(0, dots);
  std::string_view to = dots == std::string_view::npos ? value : value.substr(dots + 2);
  std::string out = "date:";
  if (!from.empty()) {
    auto span = date_span(from, now);
    if (!span) return fault();
    out += std::to_string(span->first);
  }
  out += "..";
  bool relative_alone = dots == std::string_view::npos && !value.empty() && !std::isdigit(static_cast<unsigned char>(value.back()));
  if (!to.empty() && !relative_alone) {
    auto span = date_span(to, now);
    if (!span) return fault();
    out += std::to_string(span->second - 1);
  }
  if (from.empty() && to.empty()) return fault();
  return out;
}

Result<std::string> size_range(std::string_view value, std::size_t at) {
  auto fault = [&] { return bad_query(at, "size:" + std::string(value) + " is no size (>1M, <100K, 10K..2M, 5000)"); };
  std::string out = "size:";
  if (!value.empty() && (value[0] == '>' || value[0] == '<')) {
    auto n = size_value(value.substr(1));
    if (!n) return fault();
    return value[0] == '>' ? out + std::to_string(*n + 1) + ".." : out + ".." + std::to_string(*n > 0 ? *n - 1 : 0);
  }
  auto dots = value.find("..");
  if (dots == std::string_view::npos) {
    auto n = size_value(value);
    if (!n) return fault();
    return out + std::to_string(*n) + ".." + std::to_string(*n);
  }
  auto from = value.substr(0, dots), to = value.substr(dots + 2);
  auto a = from.empty() ? std::optional<std::int64_t>(0) : size_value(from);
  auto b = to.empty() ? std::optional<std::int64_t>(INT64_MAX / 2) : size_value(to);
  if (!a || !b) return fault();
  return out + std::to_string(*a) + ".." + std::to_string(*b);
}

bool is_operator(std::string_view w) {
  return w == "AND" || w == "OR" || w == "NOT" || w == "XOR" || w == "NEAR" || w == "ADJ";
}

const Field* field_named(std::string_view name) {
  for (const auto& f : kFields)
    if (f.name == name) return &f;
  return nullptr;
}

std::string lower_utf8(std::string_view s) {
  std::string out;
  for (Xapian::Utf8Iterator it(s.data(), s.size()); it != Xapian::Utf8Iterator(); ++it)
    Xapian::Unicode::append_utf8(out, Xapian::Unicode::tolower(*it));
  return out;
}

// Makes a boolean field's value into its term, exactly (hashed when too long).
class TermProcessor : public Xapian::FieldProcessor {
 public:
  TermProcessor(std::string prefix, bool lower, bool strip_backslash)
      : prefix_(std::move(prefix)), lower_(lower), strip_backslash_(strip_backslash) {}
  Xapian::Query operator()(const std::string& value) override {
    std::string_view v = value;
    if (strip_backslash_ && !v.empty() && v.front() == '\\') v.remove_prefix(1);
    while (!v.empty() && v.front() == '<' && v.back() == '>') v = v.substr(1, v.size() - 2);
    return Xapian::Query(term(prefix_, lower_ ? lower_utf8(v) : std::string(v)));
  }

 private:
  std::string prefix_;
  bool lower_, strip_backslash_;
};

}  // namespace

Result<std::string> rewrite_query(std::string_view q, std::int64_t now) {
  std::string out;
  std::size_t i = 0;
  while (i < q.size()) {
    char c = q[i];
    if (c == ' ' || c == '\t' || c == '(' || c == ')' || c == '\n') {
      out += c;
      ++i;
      continue;
    }
    if (c == '"') {  // a phrase, as written (not stemmed: the exact forms)
      auto end = q.find('"', i + 1);
      if (end == std::string_view::npos) return bad_query(i, "a quote that is not closed");
      out.append(q.substr(i, end - i + 1));
      i = end + 1;
      continue;
    }
    std::size_t start = i;
    while (i < q.size() && q[i] != ' ' && q[i] != '\t' && q[i] != '\n' && q[i] != ')' && q[i] != '(') {
      if (q[i] == '"') {  // prefix:"quoted value"
        auto end = q.find('"', i + 1);
        if (end == std::string_view::npos) return bad_query(i, "a quote that is not closed");
        i = end;
      }
      ++i;
    }
    std::string_view word = q.substr(start, i - start);
    std::string_view bare = word;
    if (!bare.empty() && (bare[0] == '+' || bare[0] == '-')) bare.remove_prefix(1);
    auto colon = bare.find(':');
    std::string lead(word.substr(0, word.size() - bare.size()));
    if (colon != std::string_view::npos) {
      std::string_view name = bare.substr(0, colon), value = bare.substr(colon + 1);
      if (name == "date") {
        MF_TRY(range, date_range(value, start, now));
        out += lead + range;
        continue;
      }
      if (name == "size") {
        MF_TRY(range, size_range(value, start));
        out += lead + range;
        continue;
      }
      if (const Field* f = field_named(name)) {
        // Xapian's parser takes field names of letters only: message-id: is id:.
        std::string field = name == "message-id" ? "id" : std::string(name);
        out += lead + field + ":" + (f->boolean ? std::string(value) : lower_utf8(value));
        continue;
      }
      return bad_query(start, "unknown field \"" + std::string(name) + ":\" (docs/search.md lists them)");
    }
    out += is_operator(word) ? std::string(word) : lower_utf8(word);
  }
  return out;
}

Result<Found> search(const std::string& archive_dir, std::string_view query, Sort sort, std::size_t limit) {
  std::string path = index_path(archive_dir);
  MF_TRY(rewritten, rewrite_query(query, static_cast<std::int64_t>(std::time(nullptr))));
  try {
    Xapian::Database db(path);
    Xapian::QueryParser parser;
    parser.set_database(db);
    std::string language = db.get_metadata("language");
    parser.set_stemmer(Xapian::Stem(language.empty() ? "none" : language));
    parser.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    parser.set_default_op(Xapian::Query::OP_AND);  // as notmuch: every word must be there
    for (const auto& f : kFields) {
      if (f.name.find('-') != std::string_view::npos) continue;  // rewritten to its alias
      if (!f.boolean) {
        parser.add_prefix(std::string(f.name), std::string(f.prefix));
        continue;
      }
      bool flags = f.prefix == "K";
      bool lower = flags || f.name == "has";
      parser.add_boolean_prefix(std::string(f.name), (new TermProcessor(std::string(f.prefix), lower, flags))->release());
    }
    parser.add_rangeprocessor((new Xapian::NumberRangeProcessor(kDateSlot, "date:"))->release());
    parser.add_rangeprocessor((new Xapian::NumberRangeProcessor(kSizeSlot, "size:"))->release());
    unsigned flags = Xapian::QueryParser::FLAG_BOOLEAN | Xapian::QueryParser::FLAG_PHRASE |
                     Xapian::QueryParser::FLAG_LOVEHATE | Xapian::QueryParser::FLAG_WILDCARD |
                     Xapian::QueryParser::FLAG_PURE_NOT | Xapian::QueryParser::FLAG_CJK_NGRAM |
                     Xapian::QueryParser::FLAG_AUTO_SYNONYMS;  // a stem leads to its words (index.cpp, new_words)
    Xapian::Query parsed = rewritten.find_first_not_of(" \t\n") == std::string::npos
                               ? Xapian::Query::MatchAll
                               : parser.parse_query(rewritten, flags);
    Xapian::Enquire enquire(db);
    enquire.set_query(parsed);
    if (sort != Sort::Relevance) {  // by date alone: no weight is worked out for each match
      enquire.set_weighting_scheme(Xapian::BoolWeight());
      enquire.set_sort_by_value(kDateSlot, sort == Sort::Newest);
    }
    Xapian::MSet matches = enquire.get_mset(0, static_cast<Xapian::doccount>(limit), db.get_doccount());
    Found out;
    out.position = position_of(db.get_metadata("position")).value_or(0);  // none: nothing taken in
    out.total = matches.get_matches_estimated();  // exact: checked against every document
    for (auto it = matches.begin(); it != matches.end(); ++it) {
      auto data = nlohmann::json::parse(it.get_document().get_data(), nullptr, false);
      Hit h;
      h.number = *it;
      if (data.is_object()) {
        h.sha256 = data.value("sha256", "");
        h.message_id = data.value("message_id", "");
        h.from = data.value("from", "");
        h.subject = data.value("subject", "");
        h.account = data.value("account", "");
        h.folder = data.value("folder", "");
        h.date = data.value("date", 0ll);
      }
      out.hits.push_back(std::move(h));
    }
    return out;
  } catch (const Xapian::QueryParserError& e) {
    return make_error(Errc::Usage, "the query cannot be read: " + e.get_msg(), std::string(query));
  } catch (const Xapian::DatabaseOpeningError& e) {
    return make_error(Errc::NotFound, "no search index (`mailferry archive reindex` makes it): " + e.get_msg(), path);
  } catch (const Xapian::Error& e) {
    return make_error(Errc::Io, e.get_description(), path);
  }
}

}  // namespace mf::search
