#include "server/sort_keys.h"

#include "imap/date.h"
#include "mime/address_list.h"
#include "mime/date.h"
#include "mime/headers.h"


namespace mf::server {
namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && imap::iequals(text.substr(0, prefix.size()), prefix);
}

void trim(std::string_view& s) {
  while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
}

// subj-blob = "[" *BLOBCHAR "]" *WSP, BLOBCHAR being any CHAR but "[" and "]".
std::size_t blob_length(std::string_view s) {
  if (s.empty() || s.front() != '[') return 0;
  std::size_t i = 1;
  while (i < s.size() && s[i] != '[' && s[i] != ']') ++i;
  if (i >= s.size() || s[i] != ']') return 0;
  ++i;
  while (i < s.size() && is_wsp(s[i])) ++i;
  return i;
}

// subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":", after any blobs (the subj-leader).
std::size_t leader_length(std::string_view s) {
  std::size_t i = 0;
  while (std::size_t b = blob_length(s.substr(i))) i += b;
  std::string_view rest = s.substr(i);
  std::size_t word = starts_with_ci(rest, "re") ? 2 : starts_with_ci(rest, "fwd") ? 3 : starts_with_ci(rest, "fw") ? 2 : 0;
  if (!word) return 0;
  std::size_t j = i + word;
  while (j < s.size() && is_wsp(s[j])) ++j;
  j += blob_length(s.substr(j));
  if (j >= s.size() || s[j] != ':') return 0;
  return j + 1;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

struct FirstAddress {
  std::string mailbox;  // the local part (a group's name for a group)
  std::string display;  // RFC 5957: the display name decoded, or the addr-spec
};

FirstAddress first_address(const mime::Headers& headers, std::string_view field) {
  auto addresses = mime::parse_envelope_addresses(headers.value(field));
  if (addresses.empty()) return {};
  const auto& a = addresses.front();
  FirstAddress out;
  out.mailbox = a.mailbox;
  std::string name = a.has_name ? mime::decoded_text(a.name) : std::string();
  out.display = !name.empty() ? name : a.has_host ? a.mailbox + "@" + a.host : a.mailbox;
  return out;
}

}  // namespace

Result<std::vector<SortCriterion>> parse_sort_criteria(const imap::Value& list) {
  using K = SortCriterion::Key;
  if (!list.is_list() || list.items.empty()) return make_error(Errc::Protocol, "SORT criteria are a list");
  std::vector<SortCriterion> out;
  bool reverse = false;
  for (const auto& item : list.items) {
    if (!item.is_atom()) return make_error(Errc::Protocol, "not a SORT criterion: " + item.display());
    if (item.is_atom("REVERSE")) {
      reverse = true;
      continue;
    }
    static const std::pair<const char*, K> kKeys[] = {
        {"ARRIVAL", K::Arrival}, {"CC", K::Cc},     {"DATE", K::Date},
        {"FROM", K::From},       {"SIZE", K::Size}, {"SUBJECT", K::Subject},
        {"TO", K::To},           {"DISPLAYFROM", K::DisplayFrom}, {"DISPLAYTO", K::DisplayTo}};
    bool known = false;
    for (const auto& [name, key] : kKeys)
      if (item.is_atom(name)) out.push_back({key, reverse}), known = true;
    if (!known) return make_error(Errc::Protocol, "not a SORT criterion: " + item.display());
    reverse = false;
  }
  if (reverse) return make_error(Errc::Protocol, "REVERSE must come before a criterion");
  return out;
}

std::string base_subject(std::string_view subject) {
  bool ignored = false;
  return base_subject(subject, ignored);
}

std::string base_subject(std::string_view subject, bool& reply_or_forward) {
  reply_or_forward = false;
  // (1) RFC 2047 words decoded, tabs and runs of white space as one space.
  std::string decoded = mime::decoded_text(subject), text;
  for (char c : decoded) {
    if (c == '\t' || c == '\r' || c == '\n') c = ' ';
    if (c == ' ' && (text.empty() || text.back() == ' ')) continue;
    text.push_back(c);
  }
  std::string_view s = text;
  for (;;) {
    // (2) the subj-trailers "(fwd)" and white space at the end.
    for (;;) {
      trim(s);
      if (s.size() >= 5 && imap::iequals(s.substr(s.size() - 5), "(fwd)")) s.remove_suffix(5), reply_or_forward = true;
      else break;
    }
    // (3) and (4): subj-leaders, and a subj-blob when something is left after it, until nothing changes.
    for (;;) {
      trim(s);
      if (std::size_t n = leader_length(s)) {
        s.remove_prefix(n);
        reply_or_forward = true;
        continue;
      }
      std::size_t b = blob_length(s);
      if (b && b < s.size()) {
        s.remove_prefix(b);
        continue;
      }
      break;
    }
    // (5) "[fwd: ...]" around the rest: off, and again from (2).
    if (starts_with_ci(s, "[fwd:") && s.back() == ']') {
      s = s.substr(5, s.size() - 6);
      reply_or_forward = true;
      continue;
    }
    break;
  }
  trim(s);
  return std::string(s);
}

SortValues sort_values(std::uint32_t seq, const store::MessageRecord& record, std::string_view message) {
  SortValues v;
  v.seq = seq;
  v.size = record.size;
  if (auto internal = imap::parse_date_time(record.internaldate)) v.arrival = internal->epoch;
  mime::Headers headers(message.substr(0, mime::header_section_end(message)));
  // RFC 5256 §3 DATE: the Date: header in UTC; the internal date when there is none to read.
  auto sent = mime::parse_date(headers.value("Date"));
  v.date = sent ? sent->epoch : v.arrival;
  v.subject = upper(base_subject(headers.value("Subject")));
  auto from = first_address(headers, "From"), to = first_address(headers, "To"), cc = first_address(headers, "Cc");
  v.from = upper(from.mailbox), v.to = upper(to.mailbox), v.cc = upper(cc.mailbox);
  v.display_from = upper(from.display), v.display_to = upper(to.display);
  return v;
}

bool sorts_before(const std::vector<SortCriterion>& criteria, const SortValues& a, const SortValues& b) {
  using K = SortCriterion::Key;
  for (const auto& c : criteria) {
    int order = 0;
    auto compare = [&](const auto& x, const auto& y) { order = x < y ? -1 : y < x ? 1 : 0; };
    switch (c.key) {
      case K::Arrival: compare(a.arrival, b.arrival); break;
      case K::Date: compare(a.date, b.date); break;
      case K::Size: compare(a.size, b.size); break;
      case K::Subject: compare(a.subject, b.subject); break;
      case K::From: compare(a.from, b.from); break;
      case K::To: compare(a.to, b.to); break;
      case K::Cc: compare(a.cc, b.cc); break;
      case K::DisplayFrom: compare(a.display_from, b.display_from); break;
      case K::DisplayTo: compare(a.display_to, b.display_to); break;
    }
    if (order != 0) return c.reverse ? order > 0 : order < 0;
  }
  return a.seq < b.seq;
}

}  // namespace mf::server
