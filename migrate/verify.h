// Proves a migration: for every source folder and its target folder, the
// multiset of messages (SHA-256 of the raw bytes) must be equal, and each
// matched pair must have the same flags, keywords and INTERNALDATE.
// Reading both sides is read-only (EXAMINE, BODY.PEEK).
#pragma once

#include "migrate/endpoint.h"
#include "migrate/folder_rules.h"
#include "migrate/message_filter.h"
#include "migrate/progress.h"

#include <optional>
#include <string>
#include <vector>

namespace mf::migrate {

// What verify knows of one message; the body itself is not kept.
struct MessageDigest {
  std::uint32_t uid = 0;
  std::string sha256;
  std::string blind_sha256;    // line-ending blind (see line_ending_blind_hash)
  std::string rewrite_sha256;  // blind to known server rewrites (see rewrite_blind_hash)
  std::uint64_t size = 0;
  std::vector<std::string> flags;  // sorted, without \Recent
  std::optional<std::int64_t> internaldate;  // epoch seconds
  std::string message_id;
  std::string subject;
};

enum class DifferenceKind {
  Missing,
  Extra,
  ContentDiffers,
  LineEndingsDiffer,
  RewrittenByTarget,
  FlagsDiffer,
  DateDiffers
};
std::string_view difference_name(DifferenceKind kind);

struct Difference {
  DifferenceKind kind;
  std::uint32_t source_uid = 0;  // 0 when there is none (Extra)
  std::uint32_t target_uid = 0;  // 0 when there is none (Missing)
  std::string message_id;
  std::string subject;
  std::string detail;  // e.g. "source (\Seen) target ()"
};

struct FolderComparison {
  std::string source;  // display names
  std::string target;
  bool target_missing = false;
  std::size_t source_count = 0;
  std::size_t target_count = 0;
  std::size_t matched = 0;
  std::vector<Difference> differences;
  std::string error;  // the folder could not be read
};

struct VerifyOptions {
  FolderRules folders;   // the same rules as the migration's
  MessageFilter filter;  // and the same --since, --before, --max-size
  bool line_endings_ok = false;  // --ignore-line-endings: such differences do not fail
  std::string state_path;         // the migration's state file: its folder mapping is used (read only)
};

struct VerifyResult {
  std::string account;
  std::vector<FolderComparison> folders;
  std::optional<Error> fatal;
  double seconds = 0;

  std::size_t count(DifferenceKind kind) const;
  // Whether anything differs that the options do not allow.
  bool identical(const VerifyOptions& options) const;
};

// Pairs messages by hash, then classifies the rest. Pure: no I/O.
FolderComparison compare_folder(std::vector<MessageDigest> source, std::vector<MessageDigest> target);

net::Task<VerifyResult> verify_account(const Endpoint& from, const Endpoint& to, const VerifyOptions& options,
                                       Progress& progress);

}  // namespace mf::migrate
