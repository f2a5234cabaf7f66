// mailferry verify: prove that every source message is on the target (docs/verify.md).
#include "cli/commands.h"
#include "cli/common.h"
#include "core/log.h"
#include "migrate/report.h"
#include "migrate/verify.h"

#include <iostream>
#include <unistd.h>

namespace mf::cli {
namespace {

struct VerifyArgs {
  EndpointOptions endpoints;
  FolderOptions folders;
  migrate::VerifyOptions options;
};

int run_verify(VerifyArgs args) {
  auto rules = resolve_folder_rules(args.folders);
  if (!rules) {
    log::error(rules.error().describe());
    return kExitUsage;
  }
  args.options.folders = std::move(*rules);
  auto filter = resolve_message_filter(args.folders);
  if (!filter) {
    log::error(filter.error().describe());
    return kExitUsage;
  }
  args.options.filter = *filter;
  auto endpoints = resolve_endpoints(args.endpoints);
  if (!endpoints) {
    log::error(endpoints.error().describe());
    return exit_code_for(endpoints.error());
  }
  migrate::Progress progress(!args.endpoints.quiet && ::isatty(2));
  auto& [from, to] = *endpoints;
  auto result = run_task(migrate::verify_account(from, to, args.options, progress));
  std::cout << migrate::verify_text(result, args.options) << std::flush;
  if (!write_json_report(args.endpoints.json_path, migrate::verify_json(result, args.options)))
    return kExitLocal;
  if (result.fatal) {
    log::error(result.fatal->describe());
    return exit_code_for(*result.fatal);
  }
  return result.identical(args.options) ? kExitOk : kExitDifferences;
}

}  // namespace

void add_verify_command(CLI::App& app, std::function<void(int)> set_exit) {
  auto args = std::make_shared<VerifyArgs>();
  auto* cmd = app.add_subcommand("verify", "compare source and target message by message; exit 1 on any difference");
  add_endpoint_options(*cmd, args->endpoints);
  add_folder_options(*cmd, args->folders);
  cmd->add_flag("--ignore-line-endings", args->options.line_endings_ok,
                "do not fail on messages whose text differs only in line endings (listed all the same)");
  cmd->add_option("--state", args->options.state_path,
                  "the migration's state file: each folder is compared where the migration put it (only read)");
  cmd->callback([args, set_exit] { set_exit(run_verify(*args)); });
}

}  // namespace mf::cli
