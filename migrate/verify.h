// Proves a migration: for every source folder and its target folder, the
// multiset of messages (SHA-256 of the raw bytes) must be equal, and each
// matched pair must have the same flags, keywords and INTERNALDATE.
// Reading both sides is read-only (EXAMINE, BODY.PEEK).
#pragma once

#include "migrate/folder_rules.h"
#include "migrate/message_filter.h"
#include "migrate/progress.h"
#include "source/compare.h"
#include "source/endpoint.h"

#include <optional>
#include <string>
#include <vector>

namespace mf::migrate {

struct VerifyOptions {
  FolderRules folders;   // the same rules as the migration's
  MessageFilter filter;  // and the same --since, --before, --max-size
  bool line_endings_ok = false;  // --ignore-line-endings: such differences do not fail
  std::string state_path;         // the migration's state file: its folder mapping is used (read only)
};

struct VerifyResult {
  std::string account;
  std::vector<source::FolderComparison> folders;
  std::optional<Error> fatal;
  double seconds = 0;

  std::size_t count(source::DifferenceKind kind) const;
  // Whether anything differs that the options do not allow.
  bool identical(const VerifyOptions& options) const;
};

net::Task<VerifyResult> verify_account(const source::Endpoint& from, const source::Endpoint& to, const VerifyOptions& options,
                                       Progress& progress);

}  // namespace mf::migrate
