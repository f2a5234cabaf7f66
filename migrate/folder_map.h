// Maps source mailbox names to target names: the hierarchy delimiter is
// translated and names are re-encoded (modified UTF-7 on both sides).
// Pure functions, no I/O.
#pragma once

#include "core/error.h"

#include <optional>
#include <string>
#include <vector>

namespace mf::migrate {

struct MappedName {
  std::string target;       // wire form for the target
  std::string display;      // UTF-8, with '/' between levels, for reports
  bool renamed_part = false;  // a level held the target's delimiter, replaced by '_'
};

// The levels of a mailbox name given in wire form (modified UTF-7), as
// UTF-8. INBOX is case-insensitive (RFC 9051 §5.1) and comes out as INBOX.
[[nodiscard]] Result<std::vector<std::string>> folder_levels(const std::string& wire_name,
                                                             std::optional<char> delimiter);
// Levels joined with '/', the form reports and --map rules use.
std::string display_name(const std::vector<std::string>& levels);
// The target's wire name for these levels.
[[nodiscard]] Result<MappedName> target_name(const std::vector<std::string>& levels,
                                             std::optional<char> target_delimiter);
// folder_levels, then target_name.
[[nodiscard]] Result<MappedName> map_folder(const std::string& source_name, std::optional<char> source_delimiter,
                                            std::optional<char> target_delimiter);

}  // namespace mf::migrate
