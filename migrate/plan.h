// Which source folder goes to which target folder.
#pragma once

#include "imapclient/client.h"
#include "migrate/folder_map.h"
#include "migrate/folder_rules.h"
#include "source/source.h"

#include <map>
#include <vector>

namespace mf::migrate {

struct FolderPair {
  imapclient::Mailbox source;
  std::string source_display;  // UTF-8, '/' between levels
  MappedName target;
  bool target_exists = false;
  // Where the folder rules would put it now, when that is not where the
  // state file says the first pass put it (the first pass wins); else empty.
  std::string rules_target;
};

struct FolderPlan {
  std::vector<FolderPair> folders;  // source order (as LISTed), INBOX first; excluded folders left out
  std::optional<char> target_delimiter;

  // The pair of a source folder (wire name), or null when it is not copied.
  const FolderPair* find_source(const std::string& wire_name) const;
};

// recorded: source folder -> target folder (wire names) decided on an
// earlier pass (StateStore::recorded_targets); those are kept.
net::Task<Result<FolderPlan>> plan_folders(source::MailSource& source, imapclient::Client& target, const FolderRules& rules,
                                           const std::map<std::string, std::string>& recorded);

}  // namespace mf::migrate
