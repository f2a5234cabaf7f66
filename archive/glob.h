// Shell-style globs for account and folder names in policies and holds.
#pragma once

#include <string_view>

namespace mf::archive {

// `*` and `?`, case-insensitive: "Buchhaltung/*" matches "buchhaltung/2024".
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace mf::archive
