// mailferry: move mail between IMAP servers without losing a message.
#include "cli/commands.h"
#include "cli/common.h"
#include "core/log.h"
#include "core/stop.h"

#include <csignal>
#include <iostream>

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a closed socket is an error value, not a signal
  mf::install_stop_handlers();    // Ctrl-C ends a run at its next safe point
  CLI::App app{"mailferry: migrate mailboxes between IMAP servers and prove nothing was lost"};
  app.set_version_flag("--version", "mailferry 0.1.0");
  app.require_subcommand(1);
  int exit_code = mf::cli::kExitOk;
  auto set_exit = [&](int code) { exit_code = code; };
  mf::cli::add_migrate_command(app, set_exit);
  mf::cli::add_verify_command(app, set_exit);
  mf::cli::add_archive_command(app, set_exit);
  mf::cli::add_search_command(app, set_exit);
  mf::cli::add_serve_command(app, set_exit);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : mf::cli::kExitUsage;
  } catch (const std::exception& e) {
    mf::log::error(std::string("internal error: ") + e.what());
    return 70;
  }
  return exit_code;
}
