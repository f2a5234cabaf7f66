// The migration state file (SQLite, WAL, synchronous=FULL): which source
// messages are on the target, so that a re-run or a resume after a crash
// copies each message exactly once.
//
// A batch is recorded as pending (source UID, SHA-256, size, and the
// target's UID floor: no message of the batch can get a lower UID) before
// its APPEND, and as copied (with the target UID) after the target's OK,
// each in one fsynced transaction. Pending rows left by a crash are
// reconciled against the target's messages at or above the floor by hash.
// Not thread-safe; one StateStore per migrating thread.
#pragma once

#include "core/sqlite.h"
#include "source/snapshot.h"
#include "source/uid_map.h"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace mf::migrate {

struct FolderState {
  std::int64_t id = 0;
  std::uint32_t source_uidvalidity = 0;  // as recorded
  bool uidvalidity_changed = false;      // the source now reports another one
};

struct CopiedMessage {
  std::uint32_t source_uid = 0;
  std::string sha256;  // hex, of the raw bytes
  std::uint64_t size = 0;
  std::uint32_t target_uid = 0;  // 0 when the target has no UIDPLUS
};

struct PendingMessage {
  std::uint32_t source_uid = 0;
  std::string sha256;
  std::uint64_t size = 0;
  std::uint32_t target_floor = 1;  // the target's UIDNEXT (or more) before the APPEND
  std::int64_t since = 0;          // when it was recorded (Unix time; set by record_pending)
  // For a message a server may rewrite (source::may_be_rewritten): its
  // rewrite-blind hash, since the target's copy may have other bytes.
  std::string blind_sha256;
};

class StateStore final : public source::UidMap {
 public:
  [[nodiscard]] static Result<StateStore> open(const std::string& path);

  // Source folder (wire name) -> the target folder (wire name) it was given
  // on the first pass: a folder's mapping is decided once.
  [[nodiscard]] Result<std::map<std::string, std::string>> recorded_targets(const std::string& account);
  // The same, read from a state file without changing it (verify); nothing
  // when the file does not exist.
  [[nodiscard]] static Result<std::map<std::string, std::string>> recorded_targets(const std::string& path,
                                                                                   const std::string& account);

  // The folder's row, created on first sight.
  [[nodiscard]] Result<FolderState> folder(const std::string& account, const std::string& source_name,
                                           std::uint32_t source_uidvalidity, const std::string& target_name);
  [[nodiscard]] Result<std::set<std::uint32_t>> copied_uids(std::int64_t folder_id);
  [[nodiscard]] Result<std::uint64_t> copied_count(std::int64_t folder_id);
  // Source UID -> target UID of copied messages whose target UID is known.
  [[nodiscard]] Result<std::map<std::uint32_t, std::uint32_t>> copied_pairs(std::int64_t folder_id);
  // Target UIDs already claimed by copied messages (0s left out).
  [[nodiscard]] Result<std::set<std::uint32_t>> claimed_target_uids(std::int64_t folder_id);
  [[nodiscard]] Result<std::vector<PendingMessage>> pending(std::int64_t folder_id);
  [[nodiscard]] Result<std::vector<CopiedMessage>> copied(std::int64_t folder_id);
  // After the source renumbered a folder: its rows become exactly these
  // (under their new source UIDs), and the new UIDVALIDITY is recorded.
  [[nodiscard]] Result<void> rebase(std::int64_t folder_id, std::uint32_t source_uidvalidity,
                                    const std::vector<CopiedMessage>& messages);
  [[nodiscard]] Result<std::optional<std::uint32_t>> target_uidvalidity(std::int64_t folder_id);
  [[nodiscard]] Result<void> set_target_uidvalidity(std::int64_t folder_id, std::uint32_t uidvalidity);
  [[nodiscard]] Result<std::optional<source::FolderSnapshot>> snapshot(std::int64_t folder_id);
  // Records the snapshot of a complete pass (nullopt: the next pass looks again).
  [[nodiscard]] Result<void> set_snapshot(std::int64_t folder_id, const std::optional<source::FolderSnapshot>& snapshot);

  // UIDs for the messages of a local folder (mbox, Maildir, .eml files have
  // none): a key gets the same UID in every run, new keys the next free
  // ones in the order given. scope names the folder ("maildir:/path|Sent").
  [[nodiscard]] Result<std::vector<std::uint32_t>> local_uids(const std::string& scope,
                                                              const std::vector<std::string>& keys) override;

  [[nodiscard]] Result<void> record_pending(std::int64_t folder_id, const std::vector<PendingMessage>& messages);
  // Turns rows into copied (pending or not), in one transaction.
  [[nodiscard]] Result<void> record_copied(std::int64_t folder_id, const std::vector<CopiedMessage>& messages);
  // Forgets pending rows whose messages never reached the target.
  [[nodiscard]] Result<void> drop_pending(std::int64_t folder_id, const std::vector<std::uint32_t>& source_uids);
  // Forgets copied rows whose messages were deleted on both sides.
  [[nodiscard]] Result<void> drop_copied(std::int64_t folder_id, const std::vector<std::uint32_t>& source_uids);

 private:
  explicit StateStore(sql::Database db) : db_(std::move(db)) {}
  Result<std::set<std::uint32_t>> uid_set(std::string_view sql, std::int64_t folder_id);
  Result<void> insert_copied(std::int64_t folder_id, const std::vector<CopiedMessage>& messages);
  Result<void> drop(std::int64_t folder_id, const std::vector<std::uint32_t>& source_uids, std::string_view state);
  sql::Database db_;
};

}  // namespace mf::migrate
