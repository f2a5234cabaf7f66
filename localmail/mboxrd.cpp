#include "localmail/mboxrd.h"

namespace mf::localmail {
namespace {

// Calls line(text) for each line of `text`, its '\n' included.
template <class Line>
void each_line(std::string_view text, Line line) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    line(text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos + 1));
    pos = end == std::string_view::npos ? text.size() : end + 1;
  }
}

bool quoted_from(std::string_view line, std::size_t min_quotes) {
  std::size_t quotes = line.find_first_not_of('>');
  return quotes != std::string_view::npos && quotes >= min_quotes && line.compare(quotes, 5, "From ") == 0;
}

}  // namespace

std::string mboxrd_escape(std::string_view message) {
  std::string out;
  out.reserve(message.size() + 64);
  each_line(message, [&](std::string_view line) {
    if (quoted_from(line, 0)) out += '>';
    out += line;
  });
  return out;
}

std::string mboxrd_unescape(std::string_view quoted) {
  std::string out;
  out.reserve(quoted.size());
  each_line(quoted, [&](std::string_view line) {
    if (quoted_from(line, 1)) line.remove_prefix(1);
    out += line;
  });
  return out;
}

}  // namespace mf::localmail
