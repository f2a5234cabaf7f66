#include "server/search_keys.h"

#include "core/civil_time.h"
#include "imap/date.h"
#include "mime/date.h"
#include "mime/headers.h"
#include "mime/message.h"

#include <algorithm>
#include <cctype>

namespace mf::server {
namespace {

using K = SearchKey::Kind;

Error refused(std::string what) { return make_error(Errc::Protocol, "not a search key: " + what); }

// RFC 9051 §9 date: day "-" month "-" year, perhaps quoted; days since 1970.
Result<std::int64_t> search_date(const imap::Value& v) {
  static const char* kMonths[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
  const std::string& t = v.text;
  std::size_t d1 = t.find('-'), d2 = d1 == std::string::npos ? d1 : t.find('-', d1 + 1);
  if (!v.is_astring() || d1 == std::string::npos || d2 == std::string::npos || d1 < 1 || d1 > 2 || d2 - d1 != 4 ||
      t.size() - d2 != 5)
    return refused("a date is d-Mon-yyyy: " + v.display());
  auto digits = [](std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  };
  std::string_view day = std::string_view(t).substr(0, d1), year = std::string_view(t).substr(d2 + 1);
  std::string month = imap::to_upper(t.substr(d1 + 1, 3));
  unsigned m = 0;
  for (unsigned i = 0; i < 12; ++i)
    if (month == kMonths[i]) m = i + 1;
  if (!digits(day) || !digits(year) || m == 0) return refused("a date is d-Mon-yyyy: " + v.display());
  return days_from_civil(std::stoi(std::string(year)), m, static_cast<unsigned>(std::stoi(std::string(day))));
}

struct Parser {
  const std::vector<imap::Value>& args;
  std::size_t pos = 0;

  Result<const imap::Value*> take(std::string_view what) {
    if (pos >= args.size()) return refused(std::string(what) + " is missing");
    return &args[pos++];
  }

  Result<SearchKey> key() {
    MF_TRY(v, take("a search key"));
    SearchKey k;
    if (v->is_list()) {
      Parser inner{v->items};
      MF_TRY(all, inner.all());
      return all;
    }
    if (!v->is_atom()) return refused(v->display());
    std::string a = imap::to_upper(v->text);
    struct FlagKey { const char* name; K kind; const char* flag; };
    static const FlagKey kFlags[] = {
        {"ANSWERED", K::Flag, "\\Answered"},   {"DELETED", K::Flag, "\\Deleted"},   {"DRAFT", K::Flag, "\\Draft"},
        {"FLAGGED", K::Flag, "\\Flagged"},     {"SEEN", K::Flag, "\\Seen"},         {"UNANSWERED", K::NoFlag, "\\Answered"},
        {"UNDELETED", K::NoFlag, "\\Deleted"}, {"UNDRAFT", K::NoFlag, "\\Draft"},   {"UNFLAGGED", K::NoFlag, "\\Flagged"},
        {"UNSEEN", K::NoFlag, "\\Seen"},
    };
    for (const auto& f : kFlags)
      if (a == f.name) return SearchKey{f.kind, f.flag};
    if (a == "ALL") return SearchKey{K::All};
    // RFC 3501 §6.4.4: NEW is RECENT UNSEEN, OLD is NOT RECENT.
    if (a == "RECENT") return SearchKey{K::Recent};
    if (a == "NEW" || a == "OLD") {
      SearchKey both{a == "NEW" ? K::And : K::Not};
      both.children.push_back(SearchKey{K::Recent});
      if (a == "NEW") both.children.push_back(SearchKey{K::NoFlag, "\\Seen"});
      return both;
    }
    if (a == "KEYWORD" || a == "UNKEYWORD") {
      MF_TRY(flag, take("a keyword"));
      if (!flag->is_atom()) return refused("a keyword is an atom: " + flag->display());
      return SearchKey{a == "KEYWORD" ? K::Flag : K::NoFlag, flag->text};
    }
    if (a == "MODSEQ") {
      // RFC 7162 §3.1.5: MODSEQ ["/flags/..." priv|shared|all] n; one
      // mod-sequence per message here, so the entry is read and not used.
      MF_TRY(n, take("a mod-sequence"));
      if (n->is_string() && !n->is_atom()) {
        MF_TRY(type, take("an entry type"));
        if (!(type->is_atom("PRIV") || type->is_atom("SHARED") || type->is_atom("ALL")))
          return refused("an entry type is priv, shared or all: " + type->display());
        MF_TRY(number, take("a mod-sequence"));
        n = number;
      }
      if (!n->number()) return refused("a mod-sequence is a number: " + n->display());
      k.kind = K::Modseq;
      k.number = *n->number();
      return k;
    }
    if (a == "LARGER" || a == "SMALLER") {
      MF_TRY(n, take("a size"));
      if (!n->number()) return refused("a size is a number: " + n->display());
      k.kind = a == "LARGER" ? K::Larger : K::Smaller;
      k.number = *n->number();
      return k;
    }
    if (a == "UID") {
      MF_TRY(s, take("a UID set"));
      if (s->is_atom("$")) return SearchKey{K::Saved};  // RFC 5182 §2.1
      MF_TRY(set, imap::SequenceSet::parse(s->text));
      k.kind = K::Uid;
      k.set = std::move(set);
      return k;
    }
    if (a == "NOT") {
      MF_TRY(inner, key());
      k.kind = K::Not;
      k.children.push_back(std::move(inner));
      return k;
    }
    if (a == "OR") {
      MF_TRY(left, key());
      MF_TRY(right, key());
      k.kind = K::Or;
      k.children.push_back(std::move(left));
      k.children.push_back(std::move(right));
      return k;
    }
    struct DateKey { const char* name; K kind; };
    static const DateKey kDates[] = {{"BEFORE", K::Before}, {"ON", K::On}, {"SINCE", K::Since},
                                     {"SENTBEFORE", K::SentBefore}, {"SENTON", K::SentOn}, {"SENTSINCE", K::SentSince}};
    for (const auto& d : kDates)
      if (a == d.name) {
        MF_TRY(date_value, take("a date"));
        MF_TRY(days, search_date(*date_value));
        k.kind = d.kind;
        k.number = static_cast<std::uint64_t>(days);
        return k;
      }
    static const char* kFields[] = {"FROM", "TO", "CC", "BCC", "SUBJECT"};
    for (const char* f : kFields)
      if (a == f) {
        MF_TRY(s, take("a string"));
        if (!s->is_astring()) return refused("a string: " + s->display());
        return SearchKey{K::Header, f, s->text};
      }
    if (a == "HEADER") {
      MF_TRY(field, take("a header field name"));
      MF_TRY(s, take("a string"));
      if (!field->is_astring() || !s->is_astring()) return refused("HEADER takes a field name and a string");
      SearchKey h{K::Header, imap::to_upper(field->text), s->text};
      h.raw_header = true;  // HEADER FROM x: the field's text, as RFC 9051 says, not the addresses
      return h;
    }
    if (a == "BODY" || a == "TEXT") {
      MF_TRY(s, take("a string"));
      if (!s->is_astring()) return refused("a string: " + s->display());
      return SearchKey{a == "BODY" ? K::Body : K::Text, s->text};
    }
    // A sequence set stands for itself; "$" for the saved result (RFC 5182 §2.1).
    if (v->is_atom("$")) return SearchKey{K::Saved};
    if (auto set = imap::SequenceSet::parse(v->text)) {
      k.kind = K::Seq;
      k.set = std::move(*set);
      return k;
    }
    return refused(v->display());
  }

  Result<SearchKey> all() {
    SearchKey k{K::And};
    while (pos < args.size()) {
      MF_TRY(next, key());
      k.children.push_back(std::move(next));
    }
    if (k.children.empty()) return refused("an empty list");
    return k;
  }
};

bool contains_ci(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != haystack.end();
}

// RFC 9051 §6.4.4: HEADER matches the field's unfolded values, as written
// and with their RFC 2047 words decoded (a SUBJECT search for "für" finds
// "=?ISO-8859-1?Q?f=FCr?="); an empty string matches every message that has
// the field. FROM, TO, CC and BCC also match the addresses as read
// (comments and quoting gone, names decoded): "<user (comment)@
// domain.org>" is found as user@domain.org.
bool header_contains(std::string_view message, const std::string& field, const std::string& value, bool addresses) {
  mime::Headers headers(message.substr(0, mime::header_section_end(message)));
  auto values = headers.values(field);
  if (values.empty()) return false;
  for (const auto& v : values)
    if (contains_ci(v, value) || contains_ci(mime::decoded_text(v), value)) return true;
  if (!addresses) return false;
  for (const auto& a : headers.addresses(field))
    if (contains_ci(a.address, value) || contains_ci(a.name, value) ||
        contains_ci(a.name + " <" + a.address + ">", value))
      return true;
  return false;
}

// RFC 9051 §6.4.4 BODY and TEXT also look in the text parts decoded
// (quoted-printable and base64 undone, charsets to UTF-8) by mime/.
bool text_parts_contain(std::string_view message, const std::string& value) {
  auto parsed = mime::parse_message(message);
  if (!parsed) return false;
  for (const auto& part : parsed->text_parts)
    if (contains_ci(part.text, value)) return true;
  return false;
}

// TEXT also looks at the header fields decoded.
bool header_text_contains(std::string_view message, const std::string& value) {
  if (value.empty()) return true;
  std::string_view header = message.substr(0, mime::header_section_end(message));
  return header.find("=?") != std::string_view::npos && contains_ci(mime::decoded_text(header), value);
}

std::int64_t day_of(std::int64_t epoch, int zone_minutes) {
  std::int64_t local = epoch + zone_minutes * 60;
  return (local >= 0 ? local : local - 86399) / 86400;
}

std::optional<std::int64_t> sent_day(const std::string& message) {
  mime::Headers headers(std::string_view(message).substr(0, mime::header_section_end(message)));
  auto date = mime::parse_date(headers.value("Date"));
  if (!date) return std::nullopt;
  return day_of(date->epoch, date->zone_minutes);
}

}  // namespace

Result<SearchKey> parse_search(const std::vector<imap::Value>& args) {
  if (!args.empty() && args[0].is_atom("CHARSET")) {
    if (args.size() < 2) return make_error(Errc::Protocol, "CHARSET needs a charset");
    return parse_search_in(args[1], {args.begin() + 2, args.end()});
  }
  Parser parser{args};
  return parser.all();
}

Result<SearchKey> parse_search_in(const imap::Value& charset, const std::vector<imap::Value>& keys) {
  if (!charset.is_astring() || !(imap::iequals(charset.text, "US-ASCII") || imap::iequals(charset.text, "UTF-8")))
    return make_error(Errc::Usage, "only US-ASCII and UTF-8 searches are served");
  Parser parser{keys};
  return parser.all();
}

bool needs_bytes(const SearchKey& key) {
  switch (key.kind) {
    case K::Header: case K::Body: case K::Text: case K::SentBefore: case K::SentOn: case K::SentSince: return true;
    default: break;
  }
  return std::any_of(key.children.begin(), key.children.end(), [](const SearchKey& k) { return needs_bytes(k); });
}

bool uses_modseq(const SearchKey& key) {
  return key.kind == K::Modseq ||
         std::any_of(key.children.begin(), key.children.end(), [](const SearchKey& k) { return uses_modseq(k); });
}

bool matches(const SearchKey& key, const SearchSubject& m) {
  const auto& r = *m.record;
  switch (key.kind) {
    case K::All: return true;
    case K::Recent: return m.recent;
    case K::Flag: return store::has_flag(r.flags, key.text);
    case K::NoFlag: return !store::has_flag(r.flags, key.text);
    case K::Larger: return r.size > key.number;
    case K::Smaller: return r.size < key.number;
    case K::Modseq: return r.modseq >= key.number;
    case K::Uid: return key.set.contains(r.uid, m.max_uid);
    case K::Seq: return key.set.contains(m.seq, m.max_seq);
    case K::Saved: return m.saved && std::binary_search(m.saved->begin(), m.saved->end(), r.uid);
    case K::Not: return !matches(key.children[0], m);
    case K::Or: return matches(key.children[0], m) || matches(key.children[1], m);
    case K::And:
      return std::all_of(key.children.begin(), key.children.end(), [&](const SearchKey& k) { return matches(k, m); });
    case K::Before: case K::On: case K::Since: {
      // RFC 9051 §6.4.4: the internal date's day, disregarding time and timezone.
      auto date = imap::parse_date_time(r.internaldate);
      if (!date) return false;
      auto day = static_cast<std::uint64_t>(day_of(date->epoch, date->zone_minutes));
      return key.kind == K::Before ? day < key.number : key.kind == K::On ? day == key.number : day >= key.number;
    }
    case K::SentBefore: case K::SentOn: case K::SentSince: {
      auto day = sent_day(*m.bytes);
      if (!day) return false;
      auto d = static_cast<std::uint64_t>(*day);
      return key.kind == K::SentBefore ? d < key.number : key.kind == K::SentOn ? d == key.number : d >= key.number;
    }
    case K::Header: {
      bool address_field = key.text == "FROM" || key.text == "TO" || key.text == "CC" || key.text == "BCC";
      return header_contains(*m.bytes, key.text, key.value, address_field && !key.raw_header);
    }
    case K::Body:
      return contains_ci(std::string_view(*m.bytes).substr(mime::header_section_end(*m.bytes)), key.text) ||
             text_parts_contain(*m.bytes, key.text);
    case K::Text:  // the raw bytes once, not the body again
      return contains_ci(*m.bytes, key.text) || text_parts_contain(*m.bytes, key.text) ||
             header_text_contains(*m.bytes, key.text);
  }
  return false;
}

}  // namespace mf::server
