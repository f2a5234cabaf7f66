// Mail in local files, as old servers and mail clients leave it: Maildir
// (Maildir++ and plain nested trees), mbox files and directories of them,
// and directories of .eml files. Read-only. Each message has a key that
// stays the same from run to run (Maildir: its unique file name; mbox: the
// hash of its bytes and which copy of them it is; .eml: its path).
#pragma once

#include "core/error.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mf::localmail {

struct StoredFolder {
  std::vector<std::string> levels;  // UTF-8; {} or {"INBOX"} is INBOX
};

struct StoredMessage {
  std::string key;
  std::uint64_t size = 0;
  std::vector<std::string> flags;  // IMAP form: "\Seen", "$Forwarded", keywords
  std::int64_t date = 0;           // received (becomes INTERNALDATE), seconds since 1970 UTC
  std::string path;                // the file holding it
  std::uint64_t offset = 0, length = 0;  // mbox: where in the file (From_ line excluded)
};

class Store {
 public:
  virtual ~Store() = default;
  virtual Result<std::vector<StoredFolder>> folders() = 0;
  // The messages of one folder, in a stable order (new ones last where the
  // format allows).
  virtual Result<std::vector<StoredMessage>> messages(const StoredFolder& folder) = 0;
  // A message's bytes as a server would hand them out.
  virtual Result<std::string> read(const StoredMessage& message) = 0;
  // "maildir:/path" and so on, for messages and state keys.
  virtual std::string name() const = 0;
  // How many messages the files hold, counted by walking the whole tree, not
  // through folders(): what a reader must account for (Maildir: every message
  // file in a cur/ or new/; .eml: every file; mbox: every From_ line of every file).
  virtual Result<std::uint64_t> messages_on_disk() = 0;
};

// "maildir:/path", "mbox:/path" (a file, or a directory of them), "eml:/dir".
[[nodiscard]] Result<std::unique_ptr<Store>> open_store(std::string_view url);
bool is_store_url(std::string_view url);

}  // namespace mf::localmail
