// Which source folder goes to which target folder.
#pragma once

#include "imapclient/client.h"
#include "migrate/folder_map.h"
#include "migrate/folder_rules.h"
#include "migrate/source.h"

#include <vector>

namespace mf::migrate {

struct FolderPair {
  imapclient::Mailbox source;
  std::string source_display;  // UTF-8, '/' between levels
  MappedName target;
  bool target_exists = false;
};

struct FolderPlan {
  std::vector<FolderPair> folders;  // source order (as LISTed), INBOX first; excluded folders left out
  std::optional<char> target_delimiter;

  // The pair of a source folder (wire name), or null when it is not copied.
  const FolderPair* find_source(const std::string& wire_name) const;
};

net::Task<Result<FolderPlan>> plan_folders(MailSource& source, imapclient::Client& target,
                                           const FolderRules& rules);

}  // namespace mf::migrate
