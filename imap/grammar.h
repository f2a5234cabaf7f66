// The character classes of IMAP's grammar (RFC 9051 §9, the same in RFC
// 3501 §9), in one place: the command parser's tags, the writer's atoms and
// the reader's bare tokens are all defined from these.
//   atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials
//   list-wildcards = "%" / "*"   quoted-specials = DQUOTE / "\"   resp-specials = "]"
//   ATOM-CHAR = <any CHAR except atom-specials>   ASTRING-CHAR = ATOM-CHAR / resp-specials
//   tag = 1*<any ASTRING-CHAR except "+">
#pragma once

namespace mf::imap {

constexpr bool is_atom_char(char ch) {
  auto c = static_cast<unsigned char>(ch);
  if (c <= 0x20 || c >= 0x7f) return false;  // CHAR is %x01-7F; CTL and SP are atom-specials
  return ch != '(' && ch != ')' && ch != '{' && ch != '%' && ch != '*' && ch != '"' && ch != '\\' && ch != ']';
}

constexpr bool is_astring_char(char ch) { return is_atom_char(ch) || ch == ']'; }

constexpr bool is_tag_char(char ch) { return is_astring_char(ch) && ch != '+'; }

// What the reader takes into one bare token of a response or command: an
// atom, a flag (\Seen), a mailbox pattern (INBOX.*), a section's brackets;
// 8-bit bytes too, as servers send raw UTF-8 names (the framer checks the
// line before this runs).
constexpr bool is_token_char(char ch) {
  return is_astring_char(ch) || ch == '%' || ch == '*' || ch == '\\' || static_cast<unsigned char>(ch) >= 0x80;
}

}  // namespace mf::imap
