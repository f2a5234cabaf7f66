// Flags a client sends (APPEND, STORE): system flags in their RFC spelling,
// keywords as atoms (RFC 9051 §2.3.2, §9 flag).
#pragma once

#include "core/error.h"
#include "imap/value.h"

#include <string>
#include <vector>

namespace mf::server {

// A flag list's flags, system flags spelled as the RFC spells them.
// Errc::Protocol for what is not a flag, or \Recent (no client sets it).
[[nodiscard]] Result<std::vector<std::string>> flags_from(const std::vector<imap::Value>& values);

}  // namespace mf::server
