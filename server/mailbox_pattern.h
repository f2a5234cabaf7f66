// LIST patterns (RFC 9051 §6.3.9): "*" matches anything, "%" anything but
// the hierarchy delimiter "/"; names match as written, INBOX in any case.
#pragma once

#include <string>
#include <string_view>

namespace mf::server {

bool pattern_matches(std::string_view pattern, std::string_view name);
// The reference and the pattern as one pattern, INBOX at its start canonical.
std::string full_pattern(std::string_view reference, std::string_view pattern);

}  // namespace mf::server
