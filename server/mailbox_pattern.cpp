#include "server/mailbox_pattern.h"

#include "store/mailstore.h"

namespace mf::server {

bool pattern_matches(std::string_view pattern, std::string_view name) {
  // Iterative, with one backtrack point per '*' or '%': linear enough for
  // hostile patterns ("*a*a*a*..." of a line's length).
  std::size_t p = 0, n = 0, star_p = std::string_view::npos, star_n = 0;
  bool star_crosses = false;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '*' || pattern[p] == '%')) {
      star_crosses = pattern[p] == '*';
      star_p = p++;
      star_n = n;
    } else if (p < pattern.size() && pattern[p] == name[n]) {
      ++p, ++n;
    } else if (star_p != std::string_view::npos && (star_crosses || name[star_n] != '/')) {
      p = star_p + 1;
      n = ++star_n;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && (pattern[p] == '*' || pattern[p] == '%')) ++p;
  return p == pattern.size();
}

std::string full_pattern(std::string_view reference, std::string_view pattern) {
  std::string full = std::string(reference) + std::string(pattern);
  if (full.size() >= 5) {
    std::string head = store::canonical_name(full.substr(0, 5));
    bool boundary = full.size() == 5 || full[5] == '/';
    if (head == "INBOX" && boundary) full.replace(0, 5, "INBOX");
  }
  return full;
}

}  // namespace mf::server
