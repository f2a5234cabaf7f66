// Secrets as users write them in accounts files and options:
//   cmd:COMMAND   the first line COMMAND (run by /bin/sh) prints
//   file:PATH     the first line of the file
//   plain:TEXT    TEXT itself (for a password that starts with "cmd:")
//   anything else is the secret itself.
#pragma once

#include "core/error.h"

#include <string>
#include <string_view>

namespace mf {

[[nodiscard]] Result<std::string> resolve_secret(std::string_view spec);

// What a shell command prints on stdout (at most 64 KB); an error naming
// the command's exit status if it fails. stderr is passed through.
[[nodiscard]] Result<std::string> command_output(const std::string& command);

// 'text' quoted for /bin/sh.
std::string shell_quote(std::string_view text);

}  // namespace mf
