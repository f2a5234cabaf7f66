#include "migrate/folder_rules.h"

#include "imap/value.h"
#include "migrate/folder_map.h"

namespace mf::migrate {
namespace {

struct KnownName {
  const char* role;
  std::vector<std::string> names;
};

// The names mail clients and servers (Outlook/Exchange, Thunderbird, Apple
// Mail, Gmail's IMAP view) give these folders in the common languages.
const std::vector<KnownName>& known_names() {
  static const std::vector<KnownName> names = {
      {"\\Sent", {"Sent", "Sent Items", "Sent Messages", "Sent Mail", "Gesendet", "Gesendete Objekte",
                  "Gesendete Elemente", "Gesendete Nachrichten", "Envoy\xc3\xa9s", "\xc3\x89l\xc3\xa9ments envoy\xc3\xa9s",
                  "Elementos enviados", "Posta inviata", "Verzonden items"}},
      {"\\Trash", {"Trash", "Deleted", "Deleted Items", "Deleted Messages", "Bin", "Papierkorb",
                   "Gel\xc3\xb6schte Elemente", "Gel\xc3\xb6schte Objekte", "Corbeille",
                   "\xc3\x89l\xc3\xa9ments supprim\xc3\xa9s", "Elementos eliminados", "Cestino", "Verwijderde items"}},
      {"\\Drafts", {"Drafts", "Draft", "Entw\xc3\xbcrfe", "Brouillons", "Borradores", "Bozze", "Concepten"}},
      {"\\Junk", {"Junk", "Spam", "Junk E-Mail", "Junk-E-Mail", "Junk Mail", "Bulk Mail", "Unerw\xc3\xbcnscht",
                  "Courrier ind\xc3\xa9sirable"}},
      {"\\Archive", {"Archive", "Archives", "Archiv"}},
  };
  return names;
}

// Where a folder's role level is: the top level, or the one below INBOX.
std::optional<std::size_t> role_level(const std::vector<std::string>& levels) {
  if (levels.size() == 1 && levels[0] != "INBOX") return 0;
  if (levels.size() == 2 && levels[0] == "INBOX") return 1;
  return std::nullopt;
}

}  // namespace

Result<FolderRules> make_folder_rules(const std::vector<std::string>& include, const std::vector<std::string>& exclude,
                                      const std::vector<std::string>& maps, bool special_use) {
  FolderRules rules;
  rules.special_use = special_use;
  try {
    for (const auto& p : include) rules.include.emplace_back(p);
    for (const auto& p : exclude) rules.exclude.emplace_back(p);
    for (const auto& m : maps) {
      auto eq = m.find('=');
      if (eq == std::string::npos) return make_error(Errc::Usage, "--map needs REGEX=REPLACEMENT", m);
      rules.renames.emplace_back(std::regex(m.substr(0, eq)), m.substr(eq + 1));
    }
  } catch (const std::regex_error& e) {
    return make_error(Errc::Usage, std::string("invalid regular expression: ") + e.what());
  }
  return rules;
}

std::string role_of_name(const std::string& name) {
  for (const auto& known : known_names())
    for (const auto& n : known.names)
      if (imap::iequals(n, name)) return known.role;
  return {};
}

RoleFolders find_role_folders(const std::vector<std::vector<std::string>>& levels,
                              const std::vector<std::string>& special_use_of) {
  RoleFolders by_attribute, by_name;
  for (std::size_t i = 0; i < levels.size(); ++i) {
    auto level = role_level(levels[i]);
    if (!level) continue;
    if (!special_use_of[i].empty()) by_attribute.emplace(special_use_of[i], levels[i]);
    auto role = role_of_name(levels[i][*level]);
    if (!role.empty()) by_name.emplace(role, levels[i]);
  }
  for (auto& [role, folder] : by_name) by_attribute.emplace(role, folder);  // attributes win
  return by_attribute;
}

std::optional<std::vector<std::string>> apply_folder_rules(const FolderRules& rules,
                                                           const std::vector<std::string>& source_levels,
                                                           const RoleFolders& source_roles,
                                                           const RoleFolders& target_roles) {
  std::string name = display_name(source_levels);
  bool included = rules.include.empty();
  for (const auto& r : rules.include) included = included || std::regex_search(name, r);
  for (const auto& r : rules.exclude)
    if (std::regex_search(name, r)) included = false;
  if (!included) return std::nullopt;

  std::vector<std::string> levels = source_levels;
  bool to_role_folder = false;
  if (rules.special_use) {
    // A role folder and everything below it move under the target's folder of that role.
    for (const auto& [role, folder] : source_roles) {
      auto target = target_roles.find(role);
      if (target == target_roles.end() || levels.size() < folder.size() ||
          !std::equal(folder.begin(), folder.end(), levels.begin()))
        continue;
      std::vector<std::string> moved = target->second;
      moved.insert(moved.end(), levels.begin() + static_cast<std::ptrdiff_t>(folder.size()), levels.end());
      levels = std::move(moved);
      to_role_folder = true;
      break;
    }
  }
  // A folder moved into the target's role folder has the name the target
  // gave it: renaming it again would make the mapping depend on the pass (the
  // folder a first pass made under a --map name holds the role on the next).
  if (!rules.renames.empty() && !to_role_folder) {
    std::string renamed = display_name(levels);
    for (const auto& [pattern, replacement] : rules.renames) renamed = std::regex_replace(renamed, pattern, replacement);
    levels.clear();
    std::size_t start = 0;
    for (;;) {
      auto slash = renamed.find('/', start);
      levels.push_back(renamed.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    if (imap::iequals(levels.front(), "INBOX")) levels.front() = "INBOX";
  }
  return levels;
}

}  // namespace mf::migrate
