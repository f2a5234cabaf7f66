#include "source/flags.h"

#include "imap/value.h"

#include <algorithm>

namespace mf::source {

std::vector<std::string> normalized_flags(const std::vector<std::string>& flags) {
  std::vector<std::string> out;
  for (const auto& flag : flags)
    if (!imap::iequals(flag, "\\Recent")) out.push_back(flag);
  std::sort(out.begin(), out.end(),
            [](const std::string& a, const std::string& b) { return imap::to_upper(a) < imap::to_upper(b); });
  return out;
}

bool same_flags(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](auto& x, auto& y) { return imap::iequals(x, y); });
}

}  // namespace mf::source
