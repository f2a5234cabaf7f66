#include "imap/value.h"

#include "imap/grammar.h"

#include <algorithm>
#include <charconv>

namespace mf::imap {
namespace {

bool is_digits(std::string_view s) {
  return !s.empty() && s.size() <= 20 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
         });
}

std::string to_upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::uint64_t> Value::number() const {
  if (!is_atom() || !is_digits(text)) return std::nullopt;
  std::uint64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc()) return std::nullopt;
  return n;
}

bool Value::is_atom(std::string_view name) const { return is_atom() && iequals(text, name); }

std::string Value::display() const {
  switch (kind) {
    case Kind::Atom: return text;
    case Kind::Nil: return "NIL";
    case Kind::String: return streamed ? "{" + std::to_string(size) + " bytes}" : "\"" + text + "\"";
    case Kind::List: {
      std::string out = "(";
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += ' ';
        out += items[i].display();
      }
      return out + ")";
    }
  }
  return {};
}

Cursor::Cursor(Frame& frame, const Limits& limits) : frame_(frame), limits_(limits) {}

bool Cursor::at_end() const {
  const auto& t = frame_.text;
  return pos_ >= t.size() || t[pos_] == '\r' || t[pos_] == '\n';
}

bool Cursor::peek(char c) const { return pos_ < frame_.text.size() && frame_.text[pos_] == c; }

bool Cursor::consume(char c) {
  if (!peek(c)) return false;
  ++pos_;
  return true;
}

Error Cursor::error(std::string_view expected) const {
  std::string_view t = frame_.text;
  std::string_view line = t.substr(0, std::min<std::size_t>(t.find_first_of("\r\n"), 200));
  return make_error(Errc::Protocol,
                    "expected " + std::string(expected) + " at offset " + std::to_string(pos_) + " in \"" +
                        std::string(line) + "\"");
}

Result<void> Cursor::expect(char c) {
  if (!consume(c)) return error(std::string("'") + c + "'");
  return {};
}

Result<void> Cursor::expect_end() {
  if (!at_end()) return error("end of line");
  return {};
}

Result<std::string> Cursor::tag() {
  const auto& t = frame_.text;
  std::size_t start = pos_;
  while (pos_ < t.size() && is_tag_char(t[pos_])) ++pos_;
  if (pos_ == start) return error("a tag");
  return t.substr(start, pos_ - start);
}

Result<std::string> Cursor::atom() {
  const auto& t = frame_.text;
  std::size_t start = pos_;
  while (pos_ < t.size() && is_token_char(t[pos_])) {
    if (t[pos_] == '[') {
      // A section: everything up to the matching ']' belongs to the atom.
      // Without one on the line '[' is an ATOM-CHAR like any other (a
      // mailbox may be called "a[b", RFC 9051 §9).
      std::size_t close = t.find(']', pos_);
      std::size_t eol = t.find_first_of("\r\n", pos_);
      if (close != std::string::npos && close < eol) {
        pos_ = close + 1;
        continue;
      }
    }
    ++pos_;
  }
  if (pos_ == start) return error("an atom");
  return t.substr(start, pos_ - start);
}

Result<std::uint64_t> Cursor::number() {
  std::size_t start = pos_;
  MF_TRY(text, atom());
  Value v{Value::Kind::Atom, text};
  if (auto n = v.number()) return *n;
  pos_ = start;
  return error("a number");
}

Result<Value> Cursor::quoted() {
  const auto& t = frame_.text;
  ++pos_;  // opening quote
  Value v{Value::Kind::String};
  while (pos_ < t.size()) {
    char c = t[pos_++];
    if (c == '"') {
      v.size = v.text.size();
      return v;
    }
    if (c == '\r' || c == '\n') break;
    if (c == '\\') {
      if (pos_ >= t.size()) break;
      c = t[pos_++];
    }
    v.text.push_back(c);
  }
  return error("closing '\"' of a quoted string");
}

Result<Value> Cursor::literal() {
  const auto& t = frame_.text;
  if (peek('~')) ++pos_;  // literal8
  ++pos_;                 // '{'
  std::size_t close = t.find('}', pos_);
  if (close == std::string::npos) return error("'}' of a literal");
  pos_ = close + 1;
  if (consume('\r')) {
  }
  if (!consume('\n')) return error("line end after a literal marker");
  if (next_literal_ >= frame_.literals.size()) return error("literal data");
  FrameLiteral& lit = frame_.literals[next_literal_++];
  Value v{Value::Kind::String};
  v.literal = true;
  v.streamed = lit.streamed;
  v.size = lit.size;
  v.text = std::move(lit.data);
  return v;
}

Result<Value> Cursor::value() { return value_at_depth(0); }

Result<Value> Cursor::value_at_depth(int depth) {
  if (at_end()) return error("a value");
  char c = frame_.text[pos_];
  if (c == '"') return quoted();
  if (c == '{' || (c == '~' && pos_ + 1 < frame_.text.size() && frame_.text[pos_ + 1] == '{')) return literal();
  if (c == '(') {
    if (depth >= limits_.max_depth)
      return make_error(Errc::Limit, "lists nested deeper than " + std::to_string(limits_.max_depth));
    ++pos_;
    Value list{Value::Kind::List};
    while (!consume(')')) {
      if (!list.items.empty() && !consume(' ')) return error("' ' or ')' in a list");
      if (peek(')')) continue;  // tolerate "( a )" spacing quirks
      MF_TRY(item, value_at_depth(depth + 1));
      list.items.push_back(std::move(item));
    }
    return list;
  }
  MF_TRY(text, atom());
  if (iequals(text, "NIL")) return Value{Value::Kind::Nil};
  return Value{Value::Kind::Atom, std::move(text)};
}

Result<std::vector<Value>> Cursor::values_to_end() {
  std::vector<Value> out;
  while (!at_end()) {
    if (!out.empty() && !consume(' ')) return error("' '");
    if (at_end()) break;  // trailing space
    MF_TRY(v, value());
    out.push_back(std::move(v));
  }
  return out;
}

std::string Cursor::rest_of_line() {
  const auto& t = frame_.text;
  std::size_t end = t.find_first_of("\r\n", pos_);
  if (end == std::string::npos) end = t.size();
  std::string out = t.substr(std::min(pos_, end), end - std::min(pos_, end));
  pos_ = end;
  return out;
}

}  // namespace mf::imap
