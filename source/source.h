// Where a migration reads from: an IMAP server, or mail in local files
// (mbox, Maildir, a directory of .eml files) that look like one: folders
// with names in IMAP wire form, UIDs that stay the same from run to run,
// flags and INTERNALDATE. The copier and verify read through this.
#pragma once

#include "imapclient/client.h"
#include "source/endpoint.h"
#include "source/snapshot.h"
#include "source/uid_map.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mf::source {

struct SelectedFolder {
  std::uint32_t uidvalidity = 0;
  std::uint32_t exists = 0;
};

// What a scan needs of a message; internaldate as IMAP sends it.
struct MessageSummary {
  std::uint32_t uid = 0;
  std::uint64_t size = 0;
  std::vector<std::string> flags;
  std::optional<std::string> internaldate;
};

struct SourceMessage {
  std::uint32_t uid = 0;
  std::vector<std::string> flags;  // valid flag atoms only
  std::string internaldate;        // "dd-Mon-yyyy hh:mm:ss +zzzz" as the source sent it, or empty
  std::string body;                // the raw message
  std::vector<std::string> invalid_flags;  // what the source sent as flags that is none (shown escaped)
  std::string origin;  // local sources: the file it was read from (mbox: and where in it); servers: empty
};

class MailSource {
 public:
  using SummaryHandler = std::function<Result<void>(MessageSummary&)>;
  using MessageHandler = std::function<Result<void>(SourceMessage&)>;

  virtual ~MailSource() = default;
  virtual net::Task<Result<std::vector<imapclient::Mailbox>>> list() = 0;
  virtual net::Task<Result<imap::Namespace>> personal_namespace() = 0;
  virtual net::Task<Result<std::vector<std::string>>> subscriptions() = 0;
  // The folders' CONDSTORE state without selecting them (UIDVALIDITY and
  // snapshot) in one round trip; a folder the source cannot tell about is
  // left out.
  using Snapshots = std::map<std::string, std::pair<std::uint32_t, FolderSnapshot>>;
  virtual net::Task<Result<Snapshots>> snapshots(const std::vector<std::string>& folders) = 0;
  virtual net::Task<Result<SelectedFolder>> select(const std::string& folder) = 0;
  // Of the selected folder: every message (with_dates: INTERNALDATE too).
  virtual net::Task<Result<void>> summaries(bool with_dates, const SummaryHandler& handler) = 0;
  // Of the selected folder: these messages (all when uids is empty), whole;
  // each at most once, and none that was not asked for.
  virtual net::Task<Result<void>> fetch(const std::vector<std::uint32_t>& uids, const MessageHandler& handler) = 0;
  virtual net::Task<Result<void>> logout() = 0;
};

// An IMAP session as a source (read-only: EXAMINE, BODY.PEEK).
class ImapSource final : public MailSource {
 public:
  explicit ImapSource(std::unique_ptr<imapclient::Client> client) : owned_(std::move(client)), client_(*owned_) {}
  explicit ImapSource(imapclient::Client& client) : client_(client) {}  // not owned

  net::Task<Result<std::vector<imapclient::Mailbox>>> list() override;
  net::Task<Result<imap::Namespace>> personal_namespace() override;
  net::Task<Result<std::vector<std::string>>> subscriptions() override;
  net::Task<Result<Snapshots>> snapshots(const std::vector<std::string>& folders) override;
  net::Task<Result<SelectedFolder>> select(const std::string& folder) override;
  net::Task<Result<void>> summaries(bool with_dates, const SummaryHandler& handler) override;
  net::Task<Result<void>> fetch(const std::vector<std::uint32_t>& uids, const MessageHandler& handler) override;
  net::Task<Result<void>> logout() override;
  imapclient::Client& client() { return client_; }

 private:
  std::unique_ptr<imapclient::Client> owned_;
  imapclient::Client& client_;
};

// UIDs for messages that have none of their own (local files, POP3): the
// state file keeps them stable by key; without one they number this session.
[[nodiscard]] Result<std::vector<std::uint32_t>> stable_uids(UidMap* state, const std::string& scope,
                                                             const std::vector<std::string>& keys);

// The UIDs a fetch asks for: all of the folder's when uids is empty.
template <class ByUid>
std::vector<std::uint32_t> requested_uids(const std::vector<std::uint32_t>& uids, const ByUid& by_uid) {
  if (!uids.empty()) return uids;
  std::vector<std::uint32_t> all;
  for (const auto& entry : by_uid) all.push_back(entry.first);
  return all;
}

// Opens the source an endpoint names. Local sources keep their UIDs in
// the state file (state may be null: then they hold for this session only).
net::Task<Result<std::unique_ptr<MailSource>>> open_source(net::asio::any_io_executor executor, const Endpoint& endpoint,
                                                           UidMap* state);

}  // namespace mf::source
