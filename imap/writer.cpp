#include "imap/writer.h"

#include "imap/grammar.h"

namespace mf::imap {

bool is_atom_text(std::string_view text) {
  if (text.empty()) return false;
  for (char ch : text)
    if (!is_atom_char(ch)) return false;
  return true;
}

bool is_flag_text(std::string_view text) {
  if (!text.empty() && text[0] == '\\') text.remove_prefix(1);
  return is_atom_text(text);
}

bool is_printable_ascii(std::string_view text) {
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7f) return false;
  }
  return true;
}

std::string shown(std::string_view text) {
  std::string out;
  for (char ch : text.substr(0, 80)) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7f) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += ch;
    }
  }
  return text.size() > 80 ? out + "..." : out;
}

bool is_quotable(std::string_view text) {
  if (text.size() > 1024) return false;  // long strings read better as literals
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c == 0 || c == '\r' || c == '\n' || c >= 0x80) return false;
  }
  return true;
}

std::string quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

CommandBuilder::CommandBuilder(std::string_view tag, std::string_view name, bool literal_plus)
    : tag_(tag), literal_plus_(literal_plus) {
  pieces_.push_back(WirePiece{std::string(tag) + " " + std::string(name)});
}

void CommandBuilder::append(std::string_view text) {
  if (pieces_.back().is_borrowed) pieces_.push_back(WirePiece{});
  pieces_.back().owned.append(text);
}

void CommandBuilder::space() {
  const auto& last = pieces_.back();
  std::string_view b = last.bytes();
  if (!last.is_borrowed && !b.empty() && b.back() == '(') return;
  append(" ");
}

void CommandBuilder::refuse(std::string what, std::string_view text) {
  if (!refused_) refused_ = "refusing to send \"" + shown(text) + "\": not " + what;
}

CommandBuilder& CommandBuilder::atom(std::string_view text) {
  if (!is_atom_text(text)) refuse("an IMAP atom", text);
  space();
  append(text);
  return *this;
}

CommandBuilder& CommandBuilder::astring(std::string_view text) {
  if (is_atom_text(text)) return atom(text);
  return string(text);
}

CommandBuilder& CommandBuilder::string(std::string_view text) {
  // RFC 9051 §4.3: no string form carries NUL (CHAR8 excludes it).
  if (text.find('\0') != std::string_view::npos) refuse("an IMAP string (it holds a NUL byte)", text);
  if (is_quotable(text)) {
    space();
    append(quote(text));
    return *this;
  }
  // Small non-quotable strings are copied so the caller need not keep them.
  space();
  append("{" + std::to_string(text.size()) + (literal_plus_ ? "+}\r\n" : "}\r\n"));
  pieces_.back().sync_after = !literal_plus_;
  pieces_.push_back(WirePiece{std::string(text)});
  return *this;
}

CommandBuilder& CommandBuilder::literal(std::string_view bytes) {
  space();
  append("{" + std::to_string(bytes.size()) + (literal_plus_ ? "+}\r\n" : "}\r\n"));
  pieces_.back().sync_after = !literal_plus_;
  WirePiece piece;
  piece.borrowed = bytes;
  piece.is_borrowed = true;
  pieces_.push_back(piece);
  return *this;
}

CommandBuilder& CommandBuilder::flag_list(const std::vector<std::string>& flags) {
  std::string text = "(";
  for (std::size_t i = 0; i < flags.size(); ++i) {
    if (!is_flag_text(flags[i])) refuse("an IMAP flag", flags[i]);
    if (i) text += ' ';
    text += flags[i];
  }
  space();
  append(text + ")");
  return *this;
}

CommandBuilder& CommandBuilder::raw(std::string_view text) {
  if (!is_printable_ascii(text)) refuse("printable US-ASCII", text);
  space();
  append(text);
  return *this;
}

Result<std::vector<WirePiece>> CommandBuilder::finish() {
  if (refused_) return make_error(Errc::Perm, *refused_);
  append("\r\n");
  return std::move(pieces_);
}

}  // namespace mf::imap
