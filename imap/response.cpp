#include "imap/response.h"

#include "imap/writer.h"

#include <algorithm>

namespace mf::imap {
namespace {

std::optional<Status> status_from(std::string_view word) {
  if (iequals(word, "OK")) return Status::Ok;
  if (iequals(word, "NO")) return Status::No;
  if (iequals(word, "BAD")) return Status::Bad;
  if (iequals(word, "PREAUTH")) return Status::PreAuth;
  if (iequals(word, "BYE")) return Status::Bye;
  return std::nullopt;
}

// resp-text = ["[" resp-text-code "]" SP] text (RFC 9051 §9).
Result<void> parse_resp_text(Cursor& in, StatusResponse& out, const Limits& limits) {
  if (!in.consume(' ')) return {};  // some servers send "a1 OK" with no text
  std::string rest = in.rest_of_line();
  if (!rest.empty() && rest[0] == '[') {
    auto close = rest.find(']');
    if (close == std::string::npos) return make_error(Errc::Protocol, "response code without ']': " + rest);
    std::string inner = rest.substr(1, close - 1);
    ResponseCode code;
    auto sp = inner.find(' ');
    code.name = to_upper(inner.substr(0, sp));
    if (sp != std::string::npos) {
      code.args = inner.substr(sp + 1);
      Frame args_frame{code.args + "\r\n", {}};
      Cursor args(args_frame, limits);
      if (auto values = args.values_to_end()) code.values = std::move(*values);
    }
    out.code = std::move(code);
    std::size_t text_start = close + 1;
    if (text_start < rest.size() && rest[text_start] == ' ') ++text_start;
    out.text = rest.substr(text_start);
  } else {
    out.text = std::move(rest);
  }
  return {};
}

std::vector<std::string> atoms_of(const Value& list) {
  std::vector<std::string> out;
  for (const auto& v : list.items)
    if (v.is_astring()) out.push_back(v.text);
  return out;
}

Result<Response> parse_list(Cursor& in, bool lsub) {
  ListData out;
  out.lsub = lsub;
  MF_CHECK(in.expect(' '));
  MF_TRY(attrs, in.value());
  if (!attrs.is_list()) return in.error("a list of mailbox attributes");
  out.attributes = atoms_of(attrs);
  MF_CHECK(in.expect(' '));
  MF_TRY(delim, in.value());
  if (delim.is_string() && delim.text.size() == 1) {
    out.delimiter = delim.text[0];
  } else if (!delim.is_nil()) {
    return in.error("a quoted hierarchy delimiter or NIL");
  }
  MF_CHECK(in.expect(' '));
  MF_TRY(name, in.value());
  if (!name.is_astring()) return in.error("a mailbox name");
  out.mailbox = std::move(name.text);
  // Extended data (RFC 5258 §9) may follow; it is ignored.
  return out;
}

Result<Response> parse_status(Cursor& in) {
  StatusData out;
  MF_CHECK(in.expect(' '));
  MF_TRY(name, in.value());
  if (!name.is_astring()) return in.error("a mailbox name");
  out.mailbox = std::move(name.text);
  MF_CHECK(in.expect(' '));
  MF_TRY(items, in.value());
  if (!items.is_list() || items.items.size() % 2) return in.error("a list of status items");
  for (std::size_t i = 0; i + 1 < items.items.size(); i += 2) {
    auto n = items.items[i + 1].number();
    if (!items.items[i].is_atom() || !n) return in.error("a status item and its number");
    out.items.emplace_back(to_upper(items.items[i].text), *n);
  }
  return out;
}

Result<Response> parse_search(Cursor& in) {
  SearchData out;
  if (!in.consume(' ') && !in.at_end()) return in.error("' '");
  MF_TRY(values, in.values_to_end());
  for (const auto& v : values) {
    if (auto n = v.number()) {
      out.numbers.push_back(static_cast<std::uint32_t>(*n));
    } else if (v.is_list() && v.items.size() == 2 && v.items[0].is_atom("MODSEQ") && v.items[1].number()) {
      out.modseq = *v.items[1].number();  // RFC 7162 §3.1.5
    } else {
      return in.error("a message number");
    }
  }
  return out;
}

Result<Response> parse_esearch(Cursor& in) {
  ESearchData out;
  in.consume(' ');
  MF_TRY(values, in.values_to_end());
  std::size_t i = 0;
  if (i < values.size() && values[i].is_list()) {
    const auto& corr = values[i].items;  // (TAG "a1")
    if (corr.size() == 2 && corr[0].is_atom("TAG")) out.tag = corr[1].text;
    ++i;
  }
  if (i < values.size() && values[i].is_atom("UID")) {
    out.uid = true;
    ++i;
  }
  for (; i + 1 < values.size(); i += 2) {
    if (!values[i].is_atom()) return in.error("a search return item name");
    out.items.emplace_back(to_upper(values[i].text), std::move(values[i + 1]));
  }
  return out;
}

Result<std::uint32_t> to_u32(const Value& v, Cursor& in, std::string_view what) {
  auto n = v.number();
  if (!n || *n > UINT32_MAX) return in.error(what);
  return static_cast<std::uint32_t>(*n);
}

Result<Response> parse_fetch(Cursor& in, std::uint32_t seq) {
  FetchData out;
  out.seq = seq;
  MF_CHECK(in.expect(' '));
  MF_TRY(list, in.value());
  if (!list.is_list() || list.items.size() % 2) return in.error("a list of FETCH items and values");
  for (std::size_t i = 0; i + 1 < list.items.size(); i += 2) {
    Value& name_value = list.items[i];
    Value& v = list.items[i + 1];
    if (!name_value.is_atom()) return in.error("a FETCH item name");
    std::string name = to_upper(name_value.text);
    if (name == "UID") {
      MF_TRY(uid, to_u32(v, in, "a UID"));
      out.uid = uid;
    } else if (name == "FLAGS") {
      // RFC 9051 §7.5.2: each is a flag atom. Anything else (a string, a
      // literal with a CR LF in it) is kept apart, never taken for a flag.
      if (!v.is_list()) return in.error("a flag list");
      out.flags.emplace();
      for (const auto& flag : v.items) {
        if (flag.is_atom() && is_flag_text(flag.text))
          out.flags->push_back(flag.text);
        else
          out.invalid_flags.push_back(shown(flag.display()));
      }
    } else if (name == "INTERNALDATE") {
      if (!v.is_string()) return in.error("a quoted INTERNALDATE");
      out.internaldate = v.text;
    } else if (name == "RFC822.SIZE") {
      auto n = v.number();
      if (!n) return in.error("a number for RFC822.SIZE");
      out.size = *n;
    } else if (name == "MODSEQ") {  // RFC 7162 §3.1.4: MODSEQ (n)
      if (!v.is_list() || v.items.size() != 1 || !v.items[0].number()) return in.error("MODSEQ (number)");
      out.modseq = *v.items[0].number();
    } else if (name.find('[') != std::string::npos || name == "RFC822" || name == "RFC822.HEADER" ||
               name == "RFC822.TEXT") {
      if (!v.is_string() && !v.is_nil()) return in.error("a string or NIL for " + name);
      out.sections.push_back(FetchSection{std::move(name_value.text), std::move(v)});
    } else {
      out.other.emplace_back(std::move(name), std::move(v));
    }
  }
  MF_CHECK(in.expect_end());
  return out;
}

// One of NAMESPACE's three parts: NIL or "(" 1*("(" string SP (quoted-char /
// NIL) *(extension) ")") ")". RFC 2342 §5 puts no space between the
// descriptions (Courier sends them so); a space there is tolerated too.
Result<std::vector<Namespace>> namespace_list(Cursor& in) {
  MF_CHECK(in.expect(' '));
  std::vector<Namespace> out;
  if (!in.peek('(')) {
    MF_TRY(nil, in.value());
    if (!nil.is_nil()) return in.error("NIL or a list of namespaces");
    return out;
  }
  in.consume('(');
  do {
    MF_CHECK(in.expect('('));
    MF_TRY(prefix, in.value());
    MF_CHECK(in.expect(' '));
    MF_TRY(delimiter, in.value());
    if (!prefix.is_string() || !(delimiter.is_nil() || (delimiter.is_string() && delimiter.text.size() == 1)))
      return in.error("a namespace (\"prefix\" \"delimiter\")");
    while (in.consume(' ')) MF_CHECK(in.value());  // extensions (RFC 4466 §2.3, RFC 2342 §5) are ignored
    MF_CHECK(in.expect(')'));
    Namespace n{std::move(prefix.text), std::nullopt};
    if (delimiter.is_string()) n.delimiter = delimiter.text[0];
    out.push_back(std::move(n));
    in.consume(' ');
  } while (!in.consume(')'));
  return out;
}

Result<Response> parse_untagged(Cursor& in, const Limits& limits) {
  MF_TRY(word, in.atom());
  if (auto status = status_from(word)) {
    StatusResponse out{"*", *status};
    MF_CHECK(parse_resp_text(in, out, limits));
    return out;
  }
  if (auto n = Value{Value::Kind::Atom, word}.number()) {
    if (*n > UINT32_MAX) return in.error("a 32-bit number");
    auto number = static_cast<std::uint32_t>(*n);
    MF_CHECK(in.expect(' '));
    MF_TRY(kind, in.atom());
    std::string upper = to_upper(kind);
    if (upper == "EXISTS") return ExistsData{number};
    if (upper == "RECENT") return RecentData{number};
    if (upper == "EXPUNGE") return ExpungeData{number};
    if (upper == "FETCH") return parse_fetch(in, number);
    return UnknownData{"* " + word + " " + kind + in.rest_of_line()};
  }
  std::string upper = to_upper(word);
  if (upper == "CAPABILITY" || upper == "ENABLED") {
    in.consume(' ');
    MF_TRY(values, in.values_to_end());
    std::vector<std::string> names;
    for (const auto& v : values) names.push_back(to_upper(v.text));
    if (upper == "ENABLED") return EnabledData{std::move(names)};
    return CapabilityData{std::move(names)};
  }
  if (upper == "LIST" || upper == "LSUB") return parse_list(in, upper == "LSUB");
  if (upper == "NAMESPACE") {
    NamespaceData out;
    MF_TRY(personal, namespace_list(in));
    MF_TRY(other_users, namespace_list(in));
    MF_TRY(shared, namespace_list(in));
    MF_CHECK(in.expect_end());
    return NamespaceData{std::move(personal), std::move(other_users), std::move(shared)};
  }
  if (upper == "STATUS") return parse_status(in);
  if (upper == "SEARCH") return parse_search(in);
  if (upper == "ESEARCH") return parse_esearch(in);
  if (upper == "FLAGS") {
    MF_CHECK(in.expect(' '));
    MF_TRY(list, in.value());
    if (!list.is_list()) return in.error("a flag list");
    return FlagsData{atoms_of(list)};
  }
  if (upper == "VANISHED") {  // RFC 7162 §3.2.10
    VanishedData out;
    MF_CHECK(in.expect(' '));
    if (in.peek('(')) {
      MF_TRY(tag, in.value());
      out.earlier = tag.items.size() == 1 && tag.items[0].is_atom("EARLIER");
      MF_CHECK(in.expect(' '));
    }
    MF_TRY(set_text, in.atom());
    MF_TRY(set, SequenceSet::parse(set_text));
    out.uids = std::move(set);
    return out;
  }
  return UnknownData{"* " + word + in.rest_of_line()};
}

}  // namespace

std::string_view status_name(Status s) {
  switch (s) {
    case Status::Ok: return "OK";
    case Status::No: return "NO";
    case Status::Bad: return "BAD";
    case Status::PreAuth: return "PREAUTH";
    case Status::Bye: return "BYE";
  }
  return "?";
}

std::optional<std::uint64_t> ResponseCode::number(std::size_t index) const {
  if (index >= values.size()) return std::nullopt;
  return values[index].number();
}

bool ListData::has_attribute(std::string_view name) const {
  return std::any_of(attributes.begin(), attributes.end(), [&](const auto& a) { return iequals(a, name); });
}

const FetchSection* FetchData::section(std::string_view prefix) const {
  for (const auto& s : sections)
    if (s.name.size() >= prefix.size() && iequals(std::string_view(s.name).substr(0, prefix.size()), prefix))
      return &s;
  return nullptr;
}

FetchSection* FetchData::section(std::string_view prefix) {
  return const_cast<FetchSection*>(static_cast<const FetchData*>(this)->section(prefix));
}

Result<Response> parse_response(Frame& frame, const Limits& limits) {
  Cursor in(frame, limits);
  if (in.consume('+')) {
    in.consume(' ');
    return Continuation{in.rest_of_line()};
  }
  if (in.consume('*')) {
    MF_CHECK(in.expect(' '));
    return parse_untagged(in, limits);
  }
  MF_TRY(tag, in.atom());
  MF_CHECK(in.expect(' '));
  MF_TRY(word, in.atom());
  auto status = status_from(word);
  if (!status || *status == Status::PreAuth) return in.error("OK, NO, BAD or BYE after a tag");
  StatusResponse out{std::move(tag), *status};
  MF_CHECK(parse_resp_text(in, out, limits));
  return out;
}

}  // namespace mf::imap
