#include "search/text.h"

#include "core/utf8.h"

#include <charconv>
#include <cstdint>
#include <strings.h>

namespace mf::search {
namespace {

// A reference to no character (NUL, a surrogate, past U+10FFFF) is U+FFFD (HTML 5 §13.2.5.80).
void append_character(std::string& out, std::uint32_t c) {
  if (c == 0 || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) c = 0xFFFD;
  append_utf8(out, c);
}

// "&amp;" etc. at html[i] (which is '&'): appends the character, returns the length taken (0: not one).
std::size_t reference(std::string_view html, std::size_t i, std::string& out) {
  std::size_t semi = html.find(';', i);
  if (semi == std::string_view::npos || semi - i > 10) return 0;
  std::string_view name = html.substr(i + 1, semi - i - 1);
  if (!name.empty() && name[0] == '#') {
    std::uint32_t code = 0;
    bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
    auto digits = name.substr(hex ? 2 : 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), code, hex ? 16 : 10);
    if (ec != std::errc() || end != digits.data() + digits.size()) return 0;
    append_character(out, code);
    return semi - i + 1;
  }
  static const std::pair<std::string_view, std::uint32_t> kNamed[] = {
      {"amp", '&'},    {"lt", '<'},     {"gt", '>'},     {"quot", '"'},   {"apos", '\''},  {"nbsp", ' '},
      {"auml", 0xE4},  {"ouml", 0xF6},  {"uuml", 0xFC},  {"Auml", 0xC4},  {"Ouml", 0xD6},  {"Uuml", 0xDC},
      {"szlig", 0xDF}, {"euro", 0x20AC}, {"eacute", 0xE9}, {"egrave", 0xE8}, {"copy", 0xA9}, {"shy", 0xAD}};
  for (auto [n, c] : kNamed)
    if (name == n) {
      if (c != 0xAD) append_character(out, c);  // a soft hyphen joins, it is no word break
      return semi - i + 1;
    }
  return 0;
}

bool starts_with_tag(std::string_view html, std::size_t i, std::string_view tag) {
  return html.size() >= i + tag.size() && strncasecmp(html.data() + i, tag.data(), tag.size()) == 0;
}

}  // namespace

std::string html_to_text(std::string_view html) {
  std::string out;
  out.reserve(html.size() / 2);
  for (std::size_t i = 0; i < html.size();) {
    char c = html[i];
    if (c == '<') {
      for (std::string_view skipped : {"script", "style"})
        if (starts_with_tag(html, i + 1, skipped)) {  // up to the closing tag, content and all
          std::string close = "</" + std::string(skipped);
          std::size_t at = i + 1;
          while ((at = html.find("</", at)) != std::string_view::npos && !starts_with_tag(html, at, close)) at += 2;
          i = at == std::string_view::npos ? html.size() : at;
          break;
        }
      if (i >= html.size()) break;
      if (starts_with_tag(html, i, "<!--")) {
        auto end = html.find("-->", i + 4);
        i = end == std::string_view::npos ? html.size() : end + 3;
      } else {
        auto end = html.find('>', i);
        i = end == std::string_view::npos ? html.size() : end + 1;
      }
      out += ' ';  // a tag ends a word: <td>a</td><td>b</td> is "a b"
      continue;
    }
    if (c == '&') {
      if (std::size_t n = reference(html, i, out)) {
        i += n;
        continue;
      }
    }
    out += c;
    ++i;
  }
  return out;
}

}  // namespace mf::search
