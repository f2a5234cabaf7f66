#include "mime/address_list.h"

#include <cctype>

namespace mf::mime {
namespace {

// Tokens of RFC 5322 §3.2: specials one by one, quoted strings and atoms
// (with what they held), comments kept apart (a name when there is none).
struct Token {
  enum Kind { Atom, Quoted, Special, Comment } kind;
  std::string text;
};

std::vector<Token> tokenize(std::string_view v) {
  std::vector<Token> out;
  std::size_t pos = 0;
  while (pos < v.size()) {
    char c = v[pos];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ')') {
      ++pos;  // a ')' without its '(' is dropped
    } else if (c == '(') {
      int depth = 0;
      std::string text;
      for (; pos < v.size(); ++pos) {
        if (v[pos] == '\\' && pos + 1 < v.size()) {
          text += v[++pos];
          continue;
        }
        if (v[pos] == '(' && depth++ == 0) continue;
        if (v[pos] == ')' && --depth == 0) break;
        text += v[pos];
      }
      ++pos;
      out.push_back({Token::Comment, text});
    } else if (c == '"') {
      std::string text;
      for (++pos; pos < v.size() && v[pos] != '"'; ++pos) {
        if (v[pos] == '\\' && pos + 1 < v.size()) ++pos;
        if (v[pos] != '\r' && v[pos] != '\n') text += v[pos];
      }
      ++pos;
      out.push_back({Token::Quoted, text});
    } else if (std::string_view("<>@,;:.[]").find(c) != std::string_view::npos) {
      out.push_back({Token::Special, std::string(1, c)});
      ++pos;
    } else {
      std::string text;
      while (pos < v.size() && std::string_view(" \t\r\n()\"<>@,;:.[]").find(v[pos]) == std::string_view::npos)
        text += v[pos++];
      out.push_back({Token::Atom, text});
    }
  }
  return out;
}

bool is(const Token& t, char c) { return t.kind == Token::Special && t.text.size() == 1 && t.text[0] == c; }

// Words joined as written ("a.b", "John Q Public"), from tokens [b, e).
std::string join(const std::vector<Token>& t, std::size_t b, std::size_t e, bool dots_tight) {
  std::string out;
  for (std::size_t i = b; i < e; ++i) {
    if (t[i].kind == Token::Comment) continue;
    bool tight = dots_tight && (is(t[i], '.') || (i > b && is(t[i - 1], '.')));
    if (!out.empty() && !tight) out += ' ';
    out += t[i].text;
  }
  return out;
}

// One mailbox from tokens [b, e): "name <route:local@domain>" or "local@domain (comment)".
EnvelopeAddress mailbox_of(const std::vector<Token>& t, std::size_t b, std::size_t e) {
  EnvelopeAddress a;
  std::size_t open = e;
  for (std::size_t i = b; i < e; ++i)
    if (is(t[i], '<')) {
      open = i;
      break;
    }
  std::size_t spec_b = b, spec_e = e;
  if (open < e) {
    std::string name = join(t, b, open, false);
    if (!name.empty()) a.name = name, a.has_name = true;
    spec_b = open + 1;
    spec_e = spec_b;
    while (spec_e < e && !is(t[spec_e], '>')) ++spec_e;
    // An obsolete route: "@a,@b:" before the address (RFC 5322 §4.4).
    for (std::size_t i = spec_b; i < spec_e; ++i)
      if (is(t[i], ':')) {
        a.route = join(t, spec_b, i, true);
        for (auto pos = a.route.find(" "); pos != std::string::npos; pos = a.route.find(" ")) a.route.erase(pos, 1);
        a.has_route = !a.route.empty();
        spec_b = i + 1;
        break;
      }
  } else {
    for (std::size_t i = b; i < e; ++i)
      if (t[i].kind == Token::Comment && !a.has_name) a.name = t[i].text, a.has_name = !t[i].text.empty();
  }
  std::size_t at = spec_e;
  for (std::size_t i = spec_b; i < spec_e; ++i)
    if (is(t[i], '@')) at = i;
  a.mailbox = join(t, spec_b, at, true);
  a.has_mailbox = !a.mailbox.empty() || at < spec_e;
  if (at < spec_e) {
    a.host = join(t, at + 1, spec_e, true);
    a.has_host = true;
  }
  return a;
}

}  // namespace

std::vector<EnvelopeAddress> parse_envelope_addresses(std::string_view value) {
  auto t = tokenize(value);
  std::vector<EnvelopeAddress> out;
  std::size_t i = 0;
  auto flush = [&](std::size_t b, std::size_t e) {
    bool any = false;
    for (std::size_t k = b; k < e; ++k) any |= t[k].kind != Token::Comment;
    if (any) out.push_back(mailbox_of(t, b, e));
  };
  while (i < t.size()) {
    // A group "name: a, b;" when a ':' comes before any '<', '@' or ','.
    std::size_t colon = t.size();
    for (std::size_t k = i; k < t.size() && !is(t[k], '<') && !is(t[k], '@') && !is(t[k], ','); ++k)
      if (is(t[k], ':')) {
        colon = k;
        break;
      }
    if (colon < t.size()) {
      EnvelopeAddress start;
      start.mailbox = join(t, i, colon, false);
      start.has_mailbox = true;
      out.push_back(start);
      std::size_t k = colon + 1, member = k;
      bool angle = false;
      for (; k < t.size() && !(is(t[k], ';') && !angle); ++k) {
        if (is(t[k], '<')) angle = true;
        if (is(t[k], '>')) angle = false;
        if (is(t[k], ',') && !angle) {
          flush(member, k);
          member = k + 1;
        }
      }
      flush(member, k);
      out.push_back(EnvelopeAddress{});  // the group's end
      i = k + 1;
      while (i < t.size() && (is(t[i], ',') || t[i].kind == Token::Comment)) ++i;
      continue;
    }
    std::size_t k = i;
    bool angle = false;
    for (; k < t.size(); ++k) {
      if (is(t[k], '<')) angle = true;
      if (is(t[k], '>')) angle = false;
      if (is(t[k], ',') && !angle) break;
    }
    flush(i, k);
    i = k + 1;
  }
  return out;
}

}  // namespace mf::mime
