// Which folders go where: --include/--exclude, special-use roles (the
// source's \Sent lands in the target's \Sent, whatever either is called),
// and --map rename rules. Pure functions, no I/O.
#pragma once

#include "core/error.h"

#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace mf::migrate {

struct FolderRules {
  std::vector<std::regex> include;  // empty: every folder
  std::vector<std::regex> exclude;
  std::vector<std::pair<std::regex, std::string>> renames;  // applied in order
  bool special_use = true;
};

// Patterns are ECMAScript regular expressions over the '/'-joined UTF-8
// name; a map rule is "REGEX=REPLACEMENT" ($1... refer to groups).
[[nodiscard]] Result<FolderRules> make_folder_rules(const std::vector<std::string>& include,
                                                    const std::vector<std::string>& exclude,
                                                    const std::vector<std::string>& maps, bool special_use);

// "\Sent", "\Trash", "\Drafts", "\Junk", "\Archive" for a well-known folder
// name in English, German, French, Spanish, Italian or Dutch; else empty.
std::string role_of_name(const std::string& name);

// Folders by role: role -> the levels of the folder holding it.
using RoleFolders = std::map<std::string, std::vector<std::string>>;

// Roles of a server's folders: special-use attributes first; a well-known
// name counts only for a role no folder claims by attribute. Only top-level
// folders (or children of INBOX) hold roles; special_use_of[i] belongs to levels[i].
RoleFolders find_role_folders(const std::vector<std::vector<std::string>>& levels,
                              const std::vector<std::string>& special_use_of);

// The target levels of a source folder, or nothing when the rules leave it out.
std::optional<std::vector<std::string>> apply_folder_rules(const FolderRules& rules,
                                                           const std::vector<std::string>& source_levels,
                                                           const RoleFolders& source_roles,
                                                           const RoleFolders& target_roles);

}  // namespace mf::migrate
