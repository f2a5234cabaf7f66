// One user's mailboxes on the server (docs/formats/store.md): a SQLite
// catalog (WAL, synchronous=FULL) of mailboxes, UIDs, MODSEQs and flags, and
// the messages themselves as zstd files named by their SHA-256, so a message
// is stored exactly as it was given, byte for byte (CR CR LF included).
//
// Durability: append() and copy() write and fsync every blob before the
// transaction that names it commits; when they return, the message is on
// disk. Not thread-safe: one Mailstore is used by one thread (the server's
// store lane); another process or thread sees its commits through SQLite.
#pragma once

#include "core/error.h"
#include "core/sqlite.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mf::store {

struct MailboxInfo {
  std::int64_t id = 0;
  std::string name;  // UTF-8, '/' between levels; "INBOX" is the inbox
  std::uint32_t uidvalidity = 0;
  std::uint32_t uidnext = 1;
  std::uint64_t highestmodseq = 1;
  std::uint32_t first_recent_uid = 1;  // messages from here on are \Recent to the next session that claims them
  bool subscribed = false;
  std::string special_use;  // "\Sent", ... (RFC 6154), or empty
};

struct MessageRecord {
  std::uint32_t uid = 0;
  std::uint64_t modseq = 0;
  std::string sha256;  // hex: names the blob
  std::uint64_t size = 0;
  std::string internaldate;  // "dd-Mon-yyyy hh:mm:ss +zzzz" as given (RFC 9051 §2.3.3)
  std::vector<std::string> flags;  // system flags and keywords as stored, in their first spelling
};

struct NewMessage {
  std::string_view bytes;
  std::vector<std::string> flags;
  std::string internaldate;  // empty: now
};

// What STATUS reports of a mailbox (RFC 9051 §6.3.11), counted by SQLite.
struct MailboxCounts {
  std::uint64_t messages = 0, unseen = 0, deleted = 0, size = 0;
  std::uint64_t deleted_size = 0;  // bytes of the \Deleted ones
  std::uint64_t recent = 0;  // from first_recent_uid on: no session has claimed them
};

enum class FlagChange { Replace, Add, Remove };

// What a STORE changed: the message's new flags and modseq.
struct Changed {
  std::uint32_t uid = 0;
  std::uint64_t modseq = 0;
  std::vector<std::string> flags;
};

class Mailstore {
 public:
  // Opens (and on first use creates, with an INBOX) the store in dir.
  [[nodiscard]] static Result<Mailstore> open(const std::string& dir);

  [[nodiscard]] Result<std::vector<MailboxInfo>> mailboxes();
  // Errc::NotFound when there is none of that name (INBOX in any case).
  [[nodiscard]] Result<MailboxInfo> mailbox(std::string_view name);
  // Errc::Exists when it exists; parents are created as needed (RFC 9051 §6.3.4).
  [[nodiscard]] Result<void> create(std::string_view name, std::string_view special_use = {});
  // Removes a mailbox and its messages; INBOX cannot be deleted (RFC 9051 §6.3.5).
  [[nodiscard]] Result<void> remove(std::string_view name);
  // Renames a mailbox and its children; renaming INBOX moves its messages
  // into the new mailbox and leaves INBOX empty (RFC 9051 §6.3.6).
  [[nodiscard]] Result<void> rename(std::string_view from, std::string_view to);
  // Subscriptions may name mailboxes that do not exist (RFC 9051 §6.3.7).
  [[nodiscard]] Result<void> subscribe(std::string_view name, bool on);
  [[nodiscard]] Result<std::vector<std::string>> subscriptions();

  [[nodiscard]] Result<MailboxCounts> counts(const MailboxInfo& mailbox);
  // Every message of a mailbox, by UID.
  [[nodiscard]] Result<std::vector<MessageRecord>> messages(std::int64_t mailbox);
  // Appends all or none (MULTIAPPEND, RFC 3502); returns their UIDs, in order.
  [[nodiscard]] Result<std::vector<std::uint32_t>> append(std::int64_t mailbox, const std::vector<NewMessage>& messages);
  // Copies messages (flags and INTERNALDATE kept); returns the new UIDs in
  // the order of uids (RFC 4315 COPYUID). Over the quota: no copy is made.
  [[nodiscard]] Result<std::vector<std::uint32_t>> copy(std::int64_t from, const std::vector<std::uint32_t>& uids,
                                                        std::int64_t to);
  // Moves messages (RFC 6851) in one transaction: copy and expunge commit
  // together. Not checked against the quota: the space used stays the same.
  [[nodiscard]] Result<std::vector<std::uint32_t>> move(std::int64_t from, const std::vector<std::uint32_t>& uids,
                                                        std::int64_t to);
  // Changes flags; unchanged messages are left out of the answer (and keep
  // their modseq). With unchanged_since (RFC 7162 §3.1.3 UNCHANGEDSINCE) a
  // message whose modseq is above it is not changed and its UID goes to
  // *modified, checked in the same transaction as the change.
  [[nodiscard]] Result<std::vector<Changed>> store(std::int64_t mailbox, const std::vector<std::uint32_t>& uids,
                                                   FlagChange change, const std::vector<std::string>& flags,
                                                   std::optional<std::uint64_t> unchanged_since = {},
                                                   std::vector<std::uint32_t>* modified = nullptr);
  // RFC 3501 §2.3.2 \Recent: this session takes the messages from
  // first_recent_uid on as its own; returns where they began (no other
  // session gets them).
  [[nodiscard]] Result<std::uint32_t> claim_recent(std::int64_t mailbox);
  // Removes the messages; blobs no other message names are deleted.
  [[nodiscard]] Result<void> expunge(std::int64_t mailbox, const std::vector<std::uint32_t>& uids);
  // A message's bytes, checked against its SHA-256.
  [[nodiscard]] Result<std::string> read(const std::string& sha256);

  // The keywords ever used in a mailbox (its FLAGS and PERMANENTFLAGS).
  [[nodiscard]] Result<std::vector<std::string>> keywords(std::int64_t mailbox);
  const std::string& dir() const { return dir_; }
  // Grows with every row written through this Mailstore: the store lane
  // compares it around each piece of work to know whom to wake (IDLE).
  std::int64_t writes() const { return db_.total_changes(); }

  // Quota (RFC 9208 STORAGE): the sizes of all messages in all mailboxes,
  // each copy counted. append() and copy() that would go over the quota
  // fail with Errc::NoSpace ("over quota") and store nothing; expunging
  // gives space back. The quota is the user's own (set_own_quota, kept in
  // the catalog), else the server's default; 0 is none.
  [[nodiscard]] Result<std::uint64_t> storage_used();
  [[nodiscard]] Result<std::uint64_t> quota();
  void set_default_quota(std::uint64_t bytes) { default_quota_ = bytes; }
  // nullopt: back to the server's default.
  [[nodiscard]] Result<void> set_own_quota(std::optional<std::uint64_t> bytes);
  // Errc::NoSpace ("over quota") when more bytes would not fit.
  [[nodiscard]] Result<void> check_quota(std::uint64_t more);

 private:
  Mailstore(std::string dir, sql::Database db) : dir_(std::move(dir)), db_(std::move(db)) {}
  [[nodiscard]] Result<void> write_blob(std::string_view bytes, const std::string& sha256);
  [[nodiscard]] Result<std::uint64_t> next_modseq(std::int64_t mailbox);
  [[nodiscard]] Result<void> delete_unreferenced(const std::vector<std::string>& blobs);
  // copy, move and expunge without a transaction of their own: the rows only.
  [[nodiscard]] Result<std::vector<std::uint32_t>> copy_rows(std::int64_t from, const std::vector<std::uint32_t>& uids,
                                                             std::int64_t to);
  [[nodiscard]] Result<std::vector<std::string>> delete_rows(std::int64_t mailbox, const std::vector<std::uint32_t>& uids);
  [[nodiscard]] Result<std::uint64_t> meta_value(std::string_view key, std::uint64_t missing);
  std::string blob_path(const std::string& sha256) const;

  std::string dir_;
  sql::Database db_;
  std::uint64_t default_quota_ = 0;
};

// "INBOX" in any case is INBOX (RFC 9051 §5.1); other names as given.
std::string canonical_name(std::string_view name);
// Whether a message's flags hold this flag (system flags without regard to case, RFC 9051 §2.3.2).
bool has_flag(const std::vector<std::string>& flags, std::string_view flag);

}  // namespace mf::store
