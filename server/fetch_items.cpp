#include "server/fetch_items.h"

#include "mime/headers.h"
#include "mime/structure.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace mf::server {
namespace {

Error refused(std::string_view what) { return make_error(Errc::Protocol, "not a FETCH item: " + std::string(what)); }

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && imap::iequals(text.substr(0, prefix.size()), prefix);
}

// "[HEADER.FIELDS (A B)]<1.2>" after "BODY" or "BODY.PEEK".
Result<SectionRequest> parse_section(std::string_view atom, std::string_view rest, bool peek) {
  SectionRequest s;
  s.peek = peek;
  if (rest.empty() || rest.front() != '[') return refused(atom);
  std::size_t close = rest.find(']');
  if (close == std::string_view::npos) return refused(atom);
  std::string_view spec = rest.substr(1, close - 1);
  std::string_view partial = rest.substr(close + 1);
  std::string name_spec;
  // section-part: "1.2.3", then perhaps ".MIME", ".HEADER", ".TEXT", ".HEADER.FIELDS ..." (RFC 9051 §9).
  while (!spec.empty() && std::isdigit(static_cast<unsigned char>(spec.front()))) {
    std::size_t end = 0;
    while (end < spec.size() && std::isdigit(static_cast<unsigned char>(spec[end]))) ++end;
    if (spec.front() == '0' || end > 9) return refused(atom);
    s.part_numbers.push_back(static_cast<unsigned>(std::stoul(std::string(spec.substr(0, end)))));
    name_spec += std::string(spec.substr(0, end));
    spec.remove_prefix(end);
    if (spec.empty()) break;
    if (spec.front() != '.') return refused(atom);
    spec.remove_prefix(1);
    name_spec += ".";
    if (spec.empty()) return refused(atom);
  }
  if (spec.empty()) {
    s.part = SectionRequest::Part::All;
  } else if (imap::iequals(spec, "MIME") && !s.part_numbers.empty()) {
    s.part = SectionRequest::Part::Mime;
    name_spec += "MIME";
  } else if (imap::iequals(spec, "HEADER")) {
    s.part = SectionRequest::Part::Header;
    name_spec += "HEADER";
  } else if (imap::iequals(spec, "TEXT")) {
    s.part = SectionRequest::Part::Text;
    name_spec += "TEXT";
  } else if (starts_with_ci(spec, "HEADER.FIELDS")) {
    bool negated = starts_with_ci(spec, "HEADER.FIELDS.NOT");
    s.part = negated ? SectionRequest::Part::HeaderFieldsNot : SectionRequest::Part::HeaderFields;
    std::string_view list = spec.substr(negated ? 17 : 13);
    while (!list.empty() && list.front() == ' ') list.remove_prefix(1);
    if (list.size() < 2 || list.front() != '(' || list.back() != ')') return refused(atom);
    list = list.substr(1, list.size() - 2);
    std::string joined;
    while (!list.empty()) {
      std::size_t space = list.find(' ');
      std::string field = imap::to_upper(list.substr(0, space));
      if (field.size() >= 2 && field.front() == '"' && field.back() == '"') field = field.substr(1, field.size() - 2);
      if (field.empty() || field.find_first_of("\"\\()") != std::string::npos) return refused(atom);
      joined += (joined.empty() ? "" : " ") + field;
      s.fields.push_back(std::move(field));
      list = space == std::string_view::npos ? std::string_view() : list.substr(space + 1);
    }
    if (s.fields.empty()) return refused(atom);
    name_spec += std::string(negated ? "HEADER.FIELDS.NOT (" : "HEADER.FIELDS (") + joined + ")";
  } else {
    return refused(atom);
  }
  s.response_name = "BODY[" + name_spec + "]";
  if (!partial.empty()) {
    // RFC 9051 §6.4.5: "<" number "." nz-number ">"; the answer names only the origin.
    if (partial.size() < 5 || partial.front() != '<' || partial.back() != '>') return refused(atom);
    std::string_view inner = partial.substr(1, partial.size() - 2);
    std::size_t dot = inner.find('.');
    if (dot == std::string_view::npos) return refused(atom);
    imap::Value o{imap::Value::Kind::Atom, std::string(inner.substr(0, dot))};
    imap::Value c{imap::Value::Kind::Atom, std::string(inner.substr(dot + 1))};
    if (!o.number() || !c.number() || *c.number() == 0) return refused(atom);
    s.origin = *o.number();
    s.count = *c.number();
    s.response_name += "<" + std::to_string(*s.origin) + ">";
  }
  return s;
}

// RFC 3516 §4.2: section-binary = "[" [section-part] "]", then a partial.
Result<SectionRequest> parse_binary_section(std::string_view atom, std::string_view rest, bool peek) {
  MF_TRY(s, parse_section(atom, rest, peek));
  if (s.part != SectionRequest::Part::All) return refused(atom);
  s.response_name = "BINARY" + s.response_name.substr(4);
  return s;
}

Result<void> add_item(FetchRequest& request, const imap::Value& v) {
  if (!v.is_atom()) return refused(v.display());
  const std::string& a = v.text;
  using K = FetchItem::Kind;
  auto simple = [&](K kind) { request.items.push_back(FetchItem{kind, {}}); };
  if (imap::iequals(a, "UID")) simple(K::Uid);
  else if (imap::iequals(a, "FLAGS")) simple(K::Flags);
  else if (imap::iequals(a, "INTERNALDATE")) simple(K::InternalDate);
  else if (imap::iequals(a, "RFC822.SIZE")) simple(K::Size);
  else if (imap::iequals(a, "MODSEQ")) simple(K::Modseq);  // RFC 7162 §3.1.4
  else if (imap::iequals(a, "FAST")) simple(K::Flags), simple(K::InternalDate), simple(K::Size);
  else if (imap::iequals(a, "RFC822") || imap::iequals(a, "RFC822.HEADER") || imap::iequals(a, "RFC822.TEXT")) {
    // RFC 3501 §6.4.5: BODY[], BODY.PEEK[HEADER] and BODY[TEXT] under their old names.
    SectionRequest s;
    s.response_name = imap::to_upper(a);
    s.part = s.response_name == "RFC822" ? SectionRequest::Part::All
             : s.response_name == "RFC822.HEADER" ? SectionRequest::Part::Header
                                                  : SectionRequest::Part::Text;
    s.peek = s.part == SectionRequest::Part::Header;
    request.items.push_back(FetchItem{K::Section, std::move(s)});
  } else if (starts_with_ci(a, "BODY.PEEK[")) {
    MF_TRY(s, parse_section(a, std::string_view(a).substr(9), true));
    request.items.push_back(FetchItem{K::Section, std::move(s)});
  } else if (starts_with_ci(a, "BODY[")) {
    MF_TRY(s, parse_section(a, std::string_view(a).substr(4), false));
    request.items.push_back(FetchItem{K::Section, std::move(s)});
  } else if (imap::iequals(a, "ENVELOPE")) {
    simple(K::Envelope);
  } else if (imap::iequals(a, "BODY")) {
    simple(K::Body);
  } else if (imap::iequals(a, "BODYSTRUCTURE")) {
    simple(K::BodyStructure);
  } else if (imap::iequals(a, "ALL") || imap::iequals(a, "FULL")) {
    // RFC 9051 §6.4.5: ALL is (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE), FULL adds BODY.
    simple(K::Flags), simple(K::InternalDate), simple(K::Size), simple(K::Envelope);
    if (imap::iequals(a, "FULL")) simple(K::Body);
  } else if (starts_with_ci(a, "BINARY.SIZE[")) {
    MF_TRY(s, parse_binary_section(a, std::string_view(a).substr(11), true));
    if (s.origin) return refused(a);  // RFC 3516 §4.2: no partial for a size
    s.response_name = "BINARY.SIZE" + s.response_name.substr(6);
    request.items.push_back(FetchItem{K::BinarySize, std::move(s)});
  } else if (starts_with_ci(a, "BINARY.PEEK[")) {
    MF_TRY(s, parse_binary_section(a, std::string_view(a).substr(11), true));
    request.items.push_back(FetchItem{K::Binary, std::move(s)});
  } else if (starts_with_ci(a, "BINARY[")) {
    MF_TRY(s, parse_binary_section(a, std::string_view(a).substr(6), false));
    request.items.push_back(FetchItem{K::Binary, std::move(s)});
  } else {
    return refused(a);
  }
  return {};
}

std::string field_name_upper(std::string_view line) {
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return {};
  std::string_view name = line.substr(0, colon);
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
  return imap::to_upper(name);
}

}  // namespace

bool FetchRequest::sets_seen() const {
  return std::any_of(items.begin(), items.end(),
                     [](const FetchItem& i) {
                       return (i.kind == FetchItem::Kind::Section || i.kind == FetchItem::Kind::Binary) && !i.section.peek;
                     });
}

bool FetchRequest::has(FetchItem::Kind kind) const {
  return std::any_of(items.begin(), items.end(), [&](const FetchItem& i) { return i.kind == kind; });
}

Result<void> parse_fetch_modifiers(const imap::Value& list, FetchRequest& request) {
  if (!list.is_list() || list.items.empty()) return make_error(Errc::Protocol, "FETCH modifiers are a list");
  for (std::size_t i = 0; i < list.items.size(); ++i) {
    const auto& m = list.items[i];
    if (m.is_atom("CHANGEDSINCE") && i + 1 < list.items.size() && list.items[i + 1].number()) {
      request.changed_since = *list.items[++i].number();
      if (!request.has(FetchItem::Kind::Modseq)) request.items.push_back(FetchItem{FetchItem::Kind::Modseq, {}});
      continue;
    }
    return make_error(Errc::Protocol, "unknown FETCH modifier " + m.display());
  }
  return {};
}

bool FetchRequest::needs_bytes() const {
  return std::any_of(items.begin(), items.end(), [](const FetchItem& i) {
    return i.kind == FetchItem::Kind::Section || i.kind == FetchItem::Kind::Binary ||
           i.kind == FetchItem::Kind::BinarySize || i.kind == FetchItem::Kind::Envelope ||
           i.kind == FetchItem::Kind::Body || i.kind == FetchItem::Kind::BodyStructure;
  });
}

Result<FetchRequest> parse_fetch_items(const imap::Value& value) {
  FetchRequest request;
  if (value.is_list()) {
    if (value.items.empty()) return make_error(Errc::Protocol, "an empty FETCH item list");
    for (const auto& item : value.items) MF_CHECK(add_item(request, item));
  } else {
    MF_CHECK(add_item(request, value));
  }
  return request;
}

namespace {

// The fields of a header slice that a HEADER.FIELDS (.NOT) section names,
// each with its continuation lines, in order, then the blank line (RFC 9051 §6.4.5).
std::string header_fields(std::string_view header, const SectionRequest& section) {
  using P = SectionRequest::Part;
  std::string out;
  bool keep = false;
  std::size_t pos = 0;
  while (pos < header.size()) {
    std::size_t end = header.find('\n', pos);
    end = end == std::string_view::npos ? header.size() : end + 1;
    std::string_view line = header.substr(pos, end - pos);
    pos = end;
    if (line == "\r\n" || line == "\n") break;
    if (line.front() != ' ' && line.front() != '\t') {
      std::string name = field_name_upper(line);
      bool listed = std::find(section.fields.begin(), section.fields.end(), name) != section.fields.end();
      keep = !name.empty() && (section.part == P::HeaderFields ? listed : !listed);
    }
    if (keep) out.append(line);
  }
  out.append("\r\n");
  return out;
}

}  // namespace

std::string section_bytes(std::string_view message, const SectionRequest& section, const mime::Part* tree) {
  using P = SectionRequest::Part;
  // The message the section's header and text parts are of: the whole one, or the one a message/rfc822 part holds.
  std::size_t begin = 0, body = 0, end = message.size();
  if (section.part_numbers.empty()) {
    body = mime::header_section_end(message);
  } else {
    std::optional<mime::Part> parsed;
    if (!tree) tree = &parsed.emplace(mime::parse_structure(message));
    const mime::Part* part = mime::find_part(*tree, section.part_numbers);
    if (!part) return {};
    if (section.part == P::All) return std::string(message.substr(part->body_begin, part->body_size()));
    if (section.part == P::Mime) return std::string(message.substr(part->header_begin, part->body_begin - part->header_begin));
    if (!part->is_message()) return {};  // HEADER and TEXT of a part that holds no message
    begin = part->message->header_begin, body = part->message->body_begin, end = part->message->end;
  }
  switch (section.part) {
    case P::All: return std::string(message.substr(begin, end - begin));
    case P::Header: return std::string(message.substr(begin, body - begin));
    case P::Text: return std::string(message.substr(body, end - body));
    case P::HeaderFields:
    case P::HeaderFieldsNot: return header_fields(message.substr(begin, body - begin), section);
    case P::Mime: break;
  }
  return {};
}

}  // namespace mf::server
