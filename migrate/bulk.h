// A bulk run: many accounts, `jobs` at once (each on its own thread with
// its own connections and its own handle on the one state file), at most
// `per_host` at once on any one server, a live display and one report.
// Re-running the same accounts file resumes every account from its
// checkpoints; accounts copied completely before cost a STATUS per folder.
#pragma once

#include "migrate/accounts.h"
#include "migrate/copier.h"

#include <functional>
#include <string>
#include <vector>

namespace mf::migrate {

struct BulkOptions {
  CopyOptions copy;
  int jobs = 4;      // accounts at once
  int per_host = 0;  // accounts at once on one server (source or target); 0: only `jobs`
  std::string state_path;
  bool display = false;  // live display on stderr (a terminal)
  bool quiet = false;    // not even a line per finished account
};

struct AccountRun {
  int line = 0;  // in the accounts file
  std::string account;
  MigrateResult result;
};

struct BulkResult {
  std::vector<AccountRun> accounts;  // in the file's order
  double seconds = 0;
  bool complete() const;
};

// Turns an account's line into endpoints: looks up its passwords (cmd:,
// file:) when its turn comes. An error fails that account only.
using ResolveAccount = std::function<Result<std::pair<source::Endpoint, source::Endpoint>>(const AccountSpec&)>;

BulkResult run_bulk(const std::vector<AccountSpec>& accounts, const BulkOptions& options,
                    const ResolveAccount& resolve);

}  // namespace mf::migrate
