// One function per subcommand; each registers its options and, when run,
// reports its exit code through set_exit.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace mf::cli {

void add_migrate_command(CLI::App& app, std::function<void(int)> set_exit);
void add_verify_command(CLI::App& app, std::function<void(int)> set_exit);
void add_archive_command(CLI::App& app, std::function<void(int)> set_exit);
void add_serve_command(CLI::App& app, std::function<void(int)> set_exit);
void add_search_command(CLI::App& app, std::function<void(int)> set_exit);
// archive reindex: under the archive command.
void add_reindex_command(CLI::App& archive, std::function<void(int)> set_exit);
// archive export, verify-export: under the archive command.
void add_export_commands(CLI::App& archive, std::function<void(int)> set_exit);
// archive policy, hold, purge: under the archive command.
void add_archive_retention_commands(CLI::App& archive, std::function<void(int)> set_exit);

}  // namespace mf::cli
