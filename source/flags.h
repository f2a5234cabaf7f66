// Flag lists as migrate and verify compare them: \Recent left out (no
// client can set it), sorted case-insensitively, compared case-insensitively
// (RFC 9051 §2.3.2: flags are case-insensitive).
#pragma once

#include <string>
#include <vector>

namespace mf::source {

std::vector<std::string> normalized_flags(const std::vector<std::string>& flags);
bool same_flags(const std::vector<std::string>& a, const std::vector<std::string>& b);  // both normalized

}  // namespace mf::source
