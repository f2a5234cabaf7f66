// Maps source mailbox names to target names: the hierarchy delimiter is
// translated and names are re-encoded (modified UTF-7 on both sides).
// Pure functions, no I/O.
#pragma once

#include "core/error.h"

#include <optional>
#include <string>

namespace mf::migrate {

struct MappedName {
  std::string target;       // wire form for the target
  std::string display;      // UTF-8, with '/' between levels, for reports
  bool renamed_part = false;  // a level held the target's delimiter, replaced by '_'
};

// source_name is the wire form (modified UTF-7). INBOX is case-insensitive
// (RFC 9051 §5.1) and always maps to INBOX.
[[nodiscard]] Result<MappedName> map_folder(const std::string& source_name, std::optional<char> source_delimiter,
                                            std::optional<char> target_delimiter);

}  // namespace mf::migrate
