// mailferry migrate: copy one account between IMAP servers (docs/migrate.md).
#include "cli/commands.h"
#include "cli/common.h"
#include "core/log.h"
#include "migrate/copier.h"
#include "migrate/report.h"

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
};

std::string default_state_path() {
  const char* state_home = std::getenv("XDG_STATE_HOME");
  const char* home = std::getenv("HOME");
  std::filesystem::path dir = state_home && *state_home ? std::filesystem::path(state_home)
                              : home && *home           ? std::filesystem::path(home) / ".local/state"
                                                        : std::filesystem::path(".");
  return (dir / "mailferry" / "migrate.db").string();
}

int run_migrate(const MigrateArgs& args) {
  auto endpoints = resolve_endpoints(args.endpoints);
  if (!endpoints) {
    log::error(endpoints.error().describe());
    return exit_code_for(endpoints.error());
  }
  std::string state_path = args.state_path.empty() ? default_state_path() : args.state_path;
  std::error_code ec;
  auto parent = std::filesystem::path(state_path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  auto state = migrate::StateStore::open(state_path);
  if (!state) {
    log::error("state file: " + state.error().describe());
    return kExitLocal;
  }
  migrate::CopyOptions options;
  auto rules = resolve_folder_rules(args.folders);
  if (!rules) {
    log::error(rules.error().describe());
    return kExitUsage;
  }
  options.folders = std::move(*rules);
  options.dry_run = args.dry_run;
  options.delete_missing = args.delete_missing;
  options.batch_bytes = args.batch_megabytes << 20;
  options.retries = args.retries;
  options.connections = args.connections;
  options.max_bytes_per_second = args.max_bytes_per_second;
  options.max_messages_per_second = args.max_messages_per_second;
  options.retry_wait = std::chrono::milliseconds(static_cast<long>(args.retry_wait_seconds * 1000));
  migrate::Progress progress(!args.endpoints.quiet && ::isatty(2));
  auto& [from, to] = *endpoints;
  auto result = run_task(migrate::migrate_account(from, to, *state, options, progress));
  std::cout << migrate::migrate_text(result) << std::flush;
  if (!write_json_report(args.endpoints.json_path, migrate::migrate_json(result))) return kExitLocal;
  if (result.fatal) {
    log::error(result.fatal->describe());
    return exit_code_for(*result.fatal);
  }
  return result.complete() ? kExitOk : kExitDifferences;
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
  cmd->callback([args, set_exit] { set_exit(run_migrate(*args)); });
}

}  // namespace mf::cli
