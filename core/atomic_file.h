// Writes a whole file so that readers see either the old or the new content:
// temp file in the same directory, fsync, rename, fsync of the directory.
#pragma once

#include "core/error.h"

#include <string>
#include <string_view>

namespace mf {

[[nodiscard]] Result<void> write_file_atomically(const std::string& path, std::string_view content);

// Makes a directory (0700) and syncs its parent, so the new name is durable;
// one that exists already is fine.
[[nodiscard]] Result<void> make_directory(const std::string& path);

// Reads a whole file (small files: password files, configs).
[[nodiscard]] Result<std::string> read_file(const std::string& path);

}  // namespace mf
