// Which source folder goes to which target folder.
#pragma once

#include "imapclient/client.h"
#include "migrate/folder_map.h"

#include <vector>

namespace mf::migrate {

struct FolderPair {
  imapclient::Mailbox source;
  MappedName target;
  bool target_exists = false;
};

struct FolderPlan {
  std::vector<FolderPair> folders;  // source order (as LISTed), INBOX first
  std::optional<char> target_delimiter;
};

net::Task<Result<FolderPlan>> plan_folders(imapclient::Client& source, imapclient::Client& target);

}  // namespace mf::migrate
