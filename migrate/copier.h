// Copies one account: every folder, every message byte for byte, with flags,
// keywords and INTERNALDATE; records each copied message in the state file
// after the target acknowledged it, so a re-run copies only what is missing.
#pragma once

#include "migrate/archive_sink.h"
#include "source/endpoint.h"
#include "migrate/folder_rules.h"
#include "migrate/message_filter.h"
#include "migrate/progress.h"
#include "migrate/state.h"
#include "migrate/throttle.h"

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace mf::migrate {

struct CopyOptions {
  FolderRules folders;
  MessageFilter filter;  // --since, --before, --max-size
  bool dry_run = false;  // scan and plan only
  bool delete_missing = false;  // --delete: expunge on the target what was expunged at the source
  std::size_t batch_bytes = 16 << 20;  // bytes fetched and appended per batch (memory bound)
  std::size_t batch_messages = 500;
  int connections = 2;                 // connection pairs copying folders in parallel
  int retries = 5;                     // reconnects after transient errors, per account
  std::chrono::milliseconds retry_wait{2000};  // first wait; doubles, at most a minute
  std::uint64_t max_bytes_per_second = 0;      // 0: no limit
  std::uint64_t max_messages_per_second = 0;
  Throttle* shared_throttle = nullptr;  // a bulk run's limit over all accounts, or none
  ArchiveSink* archive = nullptr;       // --archive: every message read is archived before it is copied
};

struct MessageFailure {
  std::uint32_t source_uid = 0;
  std::string reason;
};

// A message copied with something of the source's left out, and why.
struct MessageNote {
  std::uint32_t source_uid = 0;
  std::string text;
};

struct FolderResult {
  std::string source;  // display names (UTF-8, '/' between levels)
  std::string target;
  bool created = false;
  bool unchanged = false;  // the source reported no change since the last complete pass (CONDSTORE)
  std::uint32_t source_messages = 0;
  std::uint32_t already_copied = 0;
  std::uint32_t reconciled = 0;  // of already_copied: found on the target after an interrupted run
  std::uint32_t rematched = 0;   // of already_copied: found again after the source changed UIDVALIDITY
  std::uint32_t found_on_target = 0;  // of already_copied: found on the target by hash (no record said so)
  // Found on the target (reconciled or found_on_target) only by a hash blind
  // to known server rewrites: the target keeps other bytes (named in notes).
  std::uint32_t altered_by_target = 0;
  // The target folder was emptied or made anew since the copies went to it:
  // the messages copied before, looked for on it again (0: it was not).
  std::uint32_t recopy_checked = 0;
  std::uint32_t copied = 0;
  std::uint32_t planned = 0;        // --dry-run: messages that would be copied
  std::uint64_t planned_bytes = 0;
  std::uint32_t filtered = 0;  // left out by --since, --before or --max-size
  std::uint32_t vanished = 0;  // expunged at the source during the run
  std::uint32_t flags_updated = 0;  // copied before; flags changed since, updated on the target
  std::uint32_t deleted_at_source = 0;  // copied before, expunged at the source since
  std::uint32_t deleted = 0;            // ...and expunged on the target too (--delete)
  std::uint64_t bytes = 0;
  std::set<std::string> dropped_flags;  // flags/keywords the target refuses
  std::vector<MessageFailure> failures;
  std::vector<MessageNote> notes;  // copied, but without an invalid flag or date, or altered by the target
  std::string error;  // the folder could not be copied (others went on)
};

struct MigrateResult {
  std::string account;  // "alice@old.example.org -> alice@new.example.org"
  std::vector<FolderResult> folders;
  std::vector<std::string> subscribed;
  std::vector<std::string> warnings;
  std::optional<Error> fatal;  // stopped the whole account
  int retries = 0;             // reconnects after transient errors
  bool dry_run = false;
  double seconds = 0;

  std::uint64_t copied() const;
  std::uint64_t bytes() const;
  std::uint64_t already_copied() const;
  std::uint64_t failed() const;          // messages the target refused
  std::uint64_t failed_folders() const;  // folders that could not be copied
  bool complete() const { return !fatal && failed() == 0 && failed_folders() == 0; }
};

net::Task<MigrateResult> migrate_account(const source::Endpoint& from, const source::Endpoint& to, StateStore& state,
                                         const CopyOptions& options, Progress& progress);

}  // namespace mf::migrate
