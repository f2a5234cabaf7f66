// What the migrate and verify subcommands share: the options naming both
// servers, password lookup, running a coroutine, exit codes.
#pragma once

#include "archive/archive.h"
#include "source/endpoint.h"
#include "migrate/folder_rules.h"
#include "migrate/message_filter.h"
#include "net/run.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <string>

namespace mf::cli {

// Exit codes (docs/migrate.md): the same for every subcommand.
enum ExitCode : int {
  kExitOk = 0,
  kExitDifferences = 1,  // verify found differences / migrate left messages behind
  kExitUsage = 2,
  kExitAuth = 3,
  kExitRemote = 4,  // connection, TLS, protocol or server refusal
  kExitLocal = 5,   // state file, disk, local I/O
  kExitStopped = 130,  // stopped by SIGINT/SIGTERM at a safe point (128 + SIGINT, as shells report it)
};

int exit_code_for(const Error& e);

// Asks on the terminal (/dev/tty) without echo; Errc::Usage when there is none.
[[nodiscard]] Result<std::string> prompt_password(const std::string& prompt);

// "2024-06-10" (UTC) of seconds since 1970.
std::string utc_date(std::int64_t epoch);

// Who runs this command, as the archive's events name them: the OS user.
std::string os_user();

struct EndpointOptions {
  std::string from_url, to_url;
  std::string from_password_file, to_password_file;
  std::string from_admin, to_admin;
  std::string from_oauth_command, to_oauth_command;
  std::string tls_ca_file;
  bool tls_insecure = false;
  bool no_starttls = false;
  int timeout_seconds = 60;
  std::string compress = "auto";
  std::string json_path;
  bool quiet = false;
};

// The source's password, admin and token options, with the connection
// options (TLS, timeout, --json, --quiet): what a command reading one
// source takes. add_endpoint_options adds --from and the --to side.
void add_source_options(CLI::App& app, EndpointOptions& options);
void add_endpoint_options(CLI::App& app, EndpointOptions& options);

struct FolderOptions {
  std::vector<std::string> include, exclude, maps;
  bool no_special_use = false;
  std::string since, before, max_size;  // which messages (--since, --before, --max-size)
};

void add_folder_options(CLI::App& app, FolderOptions& options);
[[nodiscard]] Result<migrate::FolderRules> resolve_folder_rules(const FolderOptions& options);
[[nodiscard]] Result<migrate::MessageFilter> resolve_message_filter(const FolderOptions& options);
// mailferry's own files of this user: $XDG_STATE_HOME/mailferry or ~/.local/state/mailferry.
std::string state_dir();
// The state file migrate uses without --state (in state_dir()).
std::string default_state_path();

// TLS, STARTTLS and timeout as the options say.
imapclient::ClientOptions client_options(const EndpointOptions& options);

// Parses URLs and finds passwords: file, then MAILFERRY_FROM_PASSWORD /
// MAILFERRY_TO_PASSWORD, then a prompt on the terminal.
[[nodiscard]] Result<std::pair<source::Endpoint, source::Endpoint>> resolve_endpoints(const EndpointOptions& options);
[[nodiscard]] Result<source::Endpoint> resolve_source(const EndpointOptions& options);

// Writes the JSON report if a path was given; false (and a message) on
// failure. Bytes that are not UTF-8 (raw header text) become U+FFFD.
bool write_json_report(const std::string& path, const nlohmann::json& report);

using net::run_task;

enum class Access {
  Create,  // make the archive when it is missing (import, migrate --archive)
  Write,   // change it
  Read,    // only read it: where this user cannot write it (an auditor's read-only copy or mount), read-only
};
// Opens an archive, printing what its recovery did; nullptr (and an error
// message) on failure.
std::unique_ptr<archive::Archive> open_archive(const std::string& dir, Access access);
// Records a command's audit event (who ran what, how it ended); false, with
// the error logged, when it could not be recorded. On an archive open
// read-only the event goes, fsynced, to the reader's own audit log instead
// (read_only_audit_log): no read goes unrecorded.
bool audit(archive::Archive& archive, const std::string& command, nlohmann::json details);
// MAILFERRY_AUDIT_LOG, else state_dir()/audit.jsonl: one JSON object per line.
std::string read_only_audit_log();

// Rewrites the archive's full segments (with `active`, also the one being
// written) as packs: prints what it did and records it as an audit event.
// `archive seal`, and the end of an import or a migration that archived.
bool seal_archive(archive::Archive& archive, bool active, int level);

// Brings the archive's search index up to date with its chain (creating
// it): after an import or a migration that archived, and before a search.
[[nodiscard]] Result<void> update_search_index(archive::Archive& archive, bool quiet);

}  // namespace mf::cli
