// The migration state file (SQLite, WAL, synchronous=FULL): which source
// messages have been copied, so that a re-run copies each message once.
// Rows are written only after the target acknowledged the APPEND, in one
// transaction per batch: a failure leaves no half-recorded batch.
// Not thread-safe; one StateStore per migrating thread.
#pragma once

#include "core/sqlite.h"

#include <cstdint>
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

class StateStore {
 public:
  [[nodiscard]] static Result<StateStore> open(const std::string& path);

  // The folder's row, created on first sight.
  [[nodiscard]] Result<FolderState> folder(const std::string& account, const std::string& source_name,
                                           std::uint32_t source_uidvalidity, const std::string& target_name);
  [[nodiscard]] Result<std::set<std::uint32_t>> copied_uids(std::int64_t folder_id);
  [[nodiscard]] Result<void> set_target_uidvalidity(std::int64_t folder_id, std::uint32_t uidvalidity);
  [[nodiscard]] Result<void> record_copied(std::int64_t folder_id, const std::vector<CopiedMessage>& messages);

 private:
  explicit StateStore(sql::Database db) : db_(std::move(db)) {}
  sql::Database db_;
};

}  // namespace mf::migrate
