// mailferry migrate: copy one account between IMAP servers (docs/migrate.md).
#include "cli/commands.h"
#include "cli/common.h"
#include "core/atomic_file.h"
#include "core/file_lock.h"
#include "core/log.h"
#include "core/secret.h"
#include "migrate/accounts.h"
#include "migrate/bulk.h"
#include "migrate/copier.h"
#include "migrate/archive_sink.h"
#include "migrate/report.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <unistd.h>

namespace mf::cli {
namespace {

struct MigrateArgs {
  EndpointOptions endpoints;
  FolderOptions folders;
  bool dry_run = false;
  bool delete_missing = false;
  std::string state_path;
  std::size_t batch_megabytes = 16;
  int retries = 5;
  int connections = 2;
  std::uint64_t max_bytes_per_second = 0;
  std::uint64_t max_messages_per_second = 0;
  double retry_wait_seconds = 2;
  std::string accounts_path;
  int jobs = 4;
  int per_host = 0;
  std::uint64_t total_bytes_per_second = 0;
  std::uint64_t total_messages_per_second = 0;
  std::string archive_dir;
};

// --archive DIR: every message the run reads is stored there before it is
// copied. The sink (its thread) ends before the archive closes.
struct RunArchive {
  std::unique_ptr<archive::Archive> archive;
  std::unique_ptr<migrate::ArchiveSink> sink;

  bool open(const std::string& dir) {
    if (dir.empty()) return true;
    archive = open_archive(dir, Access::Create);
    if (!archive) return false;
    sink = std::make_unique<migrate::ArchiveSink>(*archive);
    return true;
  }

  // Prints what was archived, adds it to the report, records the audit event.
  bool close(nlohmann::json& report, const std::string& what) {
    if (!sink) return true;
    auto t = sink->tally();
    sink.reset();
    std::cout << fmt::format("archived to {}: seen {} = archived {} + deduplicated {} + already present {} + "
                             "rejected {}\n",
                             archive->dir(), t.seen, t.archived, t.deduplicated, t.already_present, t.rejected);
    nlohmann::json a = {{"dir", archive->dir()},          {"seen", t.seen},
                        {"archived", t.archived},         {"deduplicated", t.deduplicated},
                        {"already_present", t.already_present}, {"rejected", t.rejected}};
    report["archive"] = a;
    a["migration"] = what;
    auto audited = archive->audit("migrate", a.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    if (!audited) log::error("archive: cannot record the audit event: " + audited.error().describe());
    if (!seal_archive(*archive, false, archive::kPackLevel)) return false;
    if (auto indexed = update_search_index(*archive, false); !indexed)
      log::warn("archive: the search index is behind the archive: " + indexed.error().describe());
    return bool(audited);
  }
};

Result<migrate::StateStore> open_state(const std::string& path) {
  auto state = migrate::StateStore::open(path);
  if (!state) return with_context(state.error(), "state file");
  return state;
}

Result<migrate::CopyOptions> copy_options(const MigrateArgs& args) {
  migrate::CopyOptions options;
  auto rules = resolve_folder_rules(args.folders);
  if (!rules) return rules.error();
  options.folders = std::move(*rules);
  MF_TRY(filter, resolve_message_filter(args.folders));
  options.filter = filter;
  options.dry_run = args.dry_run;
  options.delete_missing = args.delete_missing;
  options.batch_bytes = args.batch_megabytes << 20;
  options.retries = args.retries;
  options.connections = args.connections;
  options.max_bytes_per_second = args.max_bytes_per_second;
  options.max_messages_per_second = args.max_messages_per_second;
  options.retry_wait = std::chrono::milliseconds(static_cast<long>(args.retry_wait_seconds * 1000));
  return options;
}

int run_one_account(const MigrateArgs& args, const std::string& state_path) {
  auto endpoints = resolve_endpoints(args.endpoints);
  if (!endpoints) {
    log::error(endpoints.error().describe());
    return exit_code_for(endpoints.error());
  }
  auto state = open_state(state_path);
  if (!state) {
    log::error(state.error().describe());
    return kExitLocal;
  }
  auto options = copy_options(args);
  if (!options) {
    log::error(options.error().describe());
    return kExitUsage;
  }
  RunArchive archive;
  if (!archive.open(args.archive_dir)) return kExitLocal;
  options->archive = archive.sink.get();
  migrate::Progress progress(!args.endpoints.quiet && ::isatty(2));
  auto& [from, to] = *endpoints;
  auto result = run_task(migrate::migrate_account(from, to, *state, *options, progress));
  std::cout << migrate::migrate_text(result) << std::flush;
  auto report = migrate::migrate_json(result);
  if (!archive.close(report, result.account)) return kExitLocal;
  if (!write_json_report(args.endpoints.json_path, report)) return kExitLocal;
  if (result.fatal) {
    log::error(result.fatal->describe());
    return exit_code_for(*result.fatal);
  }
  return result.complete() ? kExitOk : kExitDifferences;
}

// An accounts file's side: "oauth:COMMAND" as password logs in with the
// token COMMAND prints; anything else is a password (cmd:, file: looked up).
Result<source::Endpoint> endpoint_of(const migrate::AccountSide& side, const imapclient::ClientOptions& client,
                                      const std::string& name) {
  source::Endpoint endpoint{side.url, side.admin, {}, {}, client};
  endpoint.pop3 = side.pop3;
  if (side.password.rfind("oauth:", 0) == 0) {
    endpoint.oauth_token_command = side.password.substr(6);
    return endpoint;
  }
  auto password = resolve_secret(side.password);
  if (!password) return with_context(password.error(), name + " password");
  endpoint.password = std::move(*password);
  return endpoint;
}

// --accounts FILE: every account of the file, --jobs at once.
int run_accounts(const MigrateArgs& args, const std::string& state_path) {
  const auto& e = args.endpoints;
  if (!e.from_url.empty() || !e.to_url.empty() || !e.from_password_file.empty() || !e.to_password_file.empty() ||
      !e.from_admin.empty() || !e.to_admin.empty()) {
    log::error("--accounts names the servers, users and passwords; leave out --from, --to and their options");
    return kExitUsage;
  }
  auto text = read_file(args.accounts_path);
  if (!text) {
    log::error("accounts file: " + text.error().describe());
    return kExitUsage;
  }
  auto accounts = migrate::parse_accounts(*text);
  if (!accounts) {
    log::error(with_context(accounts.error(), args.accounts_path).describe());
    return kExitUsage;
  }
  auto options = copy_options(args);
  if (!options) {
    log::error(options.error().describe());
    return kExitUsage;
  }
  if (auto state = open_state(state_path); !state) {  // fail early, before any account starts
    log::error(state.error().describe());
    return kExitLocal;
  }
  RunArchive archive;
  if (!archive.open(args.archive_dir)) return kExitLocal;
  options->archive = archive.sink.get();
  migrate::Throttle total(args.total_bytes_per_second, args.total_messages_per_second);
  if (total.limited()) options->shared_throttle = &total;
  migrate::BulkOptions bulk;
  bulk.copy = std::move(*options);
  bulk.jobs = args.jobs;
  bulk.per_host = args.per_host;
  bulk.state_path = state_path;
  bulk.quiet = e.quiet;
  bulk.display = !e.quiet && ::isatty(2);
  auto client = client_options(e);
  auto resolve = [&](const migrate::AccountSpec& a) -> Result<std::pair<source::Endpoint, source::Endpoint>> {
    MF_TRY(from, endpoint_of(a.from, client, "source"));
    MF_TRY(to, endpoint_of(a.to, client, "target"));
    return std::pair{std::move(from), std::move(to)};
  };
  auto result = migrate::run_bulk(*accounts, bulk, resolve);
  std::cout << migrate::bulk_text(result) << std::flush;
  auto report = migrate::bulk_json(result);
  if (!archive.close(report, "accounts file " + args.accounts_path)) return kExitLocal;
  if (!write_json_report(e.json_path, report)) return kExitLocal;
  return result.complete() ? kExitOk : kExitDifferences;
}

int run_migrate(const MigrateArgs& args) {
  std::string state_path = args.state_path.empty() ? default_state_path() : args.state_path;
  std::error_code ec;
  if (auto parent = std::filesystem::path(state_path).parent_path(); !parent.empty())
    std::filesystem::create_directories(parent, ec);
  // Two runs on one state file would both copy what it lacks: duplicates.
  auto lock = FileLock::take(state_path + ".lock", "the state file " + state_path);
  if (!lock) {
    log::error(lock.error().describe());
    return kExitLocal;
  }
  return args.accounts_path.empty() ? run_one_account(args, state_path) : run_accounts(args, state_path);
}

}  // namespace

void add_migrate_command(CLI::App& app, std::function<void(int)> set_exit) {
  auto args = std::make_shared<MigrateArgs>();
  auto* cmd = app.add_subcommand("migrate", "copy every folder and message of one account to another server");
  add_endpoint_options(*cmd, args->endpoints);
  add_folder_options(*cmd, args->folders);
  cmd->add_flag("--delete", args->delete_missing,
                "expunge on the target the messages copied before and expunged at the source since");
  cmd->add_flag("--dry-run", args->dry_run, "print the plan (folders to create, messages and bytes to copy); copy nothing");
  cmd->add_option("--state", args->state_path, "state file that makes re-runs copy only what is missing")
      ->default_str("~/.local/state/mailferry/migrate.db");
  cmd->add_option("--batch-mb", args->batch_megabytes, "megabytes fetched and appended per batch (bounds memory)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--connections", args->connections,
                  "connections to each server, copying that many folders at once")
      ->check(CLI::Range(1, 16));
  cmd->add_option("--max-bytes-per-second", args->max_bytes_per_second, "copy at most this many bytes a second");
  cmd->add_option("--max-messages-per-second", args->max_messages_per_second,
                  "copy at most this many messages a second");
  cmd->add_option("--retries", args->retries, "reconnects after a dropped connection, timeout or throttling")
      ->check(CLI::Range(0, 1000));
  cmd->add_option("--retry-wait", args->retry_wait_seconds, "seconds before the first reconnect; doubles each time, at most 60")
      ->check(CLI::Range(0.0, 3600.0));
  cmd->add_option("--archive", args->archive_dir,
                  "also store every message read in this archive (docs/archive.md), before it is copied");
  cmd->add_option("--accounts", args->accounts_path,
                  "migrate every account of this file (CSV with a header, or imapsync's host1;user1;password1;"
                  "host2;user2;password2 lines)");
  cmd->add_option("--jobs", args->jobs, "accounts migrated at once (--accounts)")->check(CLI::Range(1, 256));
  cmd->add_option("--per-host", args->per_host, "accounts migrated at once on any one server (--accounts; 0: no cap)")
      ->check(CLI::Range(0, 256));
  cmd->add_option("--max-total-bytes-per-second", args->total_bytes_per_second,
                  "all accounts together copy at most this many bytes a second (--accounts)");
  cmd->add_option("--max-total-messages-per-second", args->total_messages_per_second,
                  "all accounts together copy at most this many messages a second (--accounts)");
  cmd->callback([args, set_exit] { set_exit(run_migrate(*args)); });
}

}  // namespace mf::cli
