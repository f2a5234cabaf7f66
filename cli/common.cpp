#include "cli/common.h"

#include "core/civil_time.h"

#include "core/atomic_file.h"
#include "core/log.h"
#include "localmail/store.h"

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <pwd.h>
#include <termios.h>
#include <unistd.h>

namespace mf::cli {

Result<std::string> prompt_password(const std::string& prompt) {
  FILE* tty = std::fopen("/dev/tty", "r+");
  if (!tty) return make_error(Errc::Usage, "no terminal to ask for the password on");
  std::fprintf(tty, "%s", prompt.c_str());
  std::fflush(tty);
  termios old{};
  bool echo_off = tcgetattr(fileno(tty), &old) == 0;
  if (echo_off) {
    termios silent = old;
    silent.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(fileno(tty), TCSAFLUSH, &silent);
  }
  char buf[1024];
  bool got = std::fgets(buf, sizeof buf, tty) != nullptr;
  if (echo_off) tcsetattr(fileno(tty), TCSAFLUSH, &old);
  std::fprintf(tty, "\n");
  std::fclose(tty);
  if (!got) return make_error(Errc::Usage, "no password entered");
  std::string password(buf);
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
  return password;
}

namespace {

Result<std::string> find_password(const std::string& file, const char* env, const std::string& side,
                                  const net::ServerUrl& url) {
  if (!file.empty()) {
    auto text = read_file(file);
    // A password file that cannot be read is a usage error (exit 2), as no password is.
    if (!text)
      return make_error(Errc::Usage, "cannot read the " + side + "'s password file: " + text.error().message, file);
    while (!text->empty() && (text->back() == '\n' || text->back() == '\r')) text->pop_back();
    return text;
  }
  if (const char* value = std::getenv(env)) return std::string(value);
  if (::isatty(0)) return prompt_password("Password for " + url.display() + " (" + side + "): ");
  return make_error(Errc::Usage, "no password for the " + side + ": use --" + (side == "source" ? "from" : "to") +
                                     "-password-file, set " + env + ", or run on a terminal");
}

}  // namespace

std::string utc_date(std::int64_t epoch) { return utc_text(epoch, "%Y-%m-%d"); }

std::string os_user() {
  const passwd* pw = ::getpwuid(::geteuid());
  return pw ? std::string(pw->pw_name) : "uid " + std::to_string(::geteuid());
}

int exit_code_for(const Error& e) {
  switch (e.code) {
    case Errc::Usage: return kExitUsage;
    case Errc::Auth: return kExitAuth;
    case Errc::Stopped: return kExitStopped;
    case Errc::Io:
    case Errc::InUse:
    case Errc::NoSpace:
    case Errc::Corrupt: return kExitLocal;  // remote failures are Temp, Tls, Protocol or Perm
    default: return kExitRemote;
  }
}

namespace {

void add_connection_options(CLI::App& app, EndpointOptions& o) {
  app.add_option("--tls-ca-file", o.tls_ca_file, "also trust the CA certificates in this PEM file");
  app.add_flag("--tls-insecure", o.tls_insecure, "accept any TLS certificate (self-signed; warns)");
  app.add_flag("--no-starttls", o.no_starttls, "keep imap:// connections unencrypted even if STARTTLS is offered");
  app.add_option("--compress", o.compress,
                 "COMPRESS=DEFLATE when the server offers it: auto (not on loopback addresses), yes, no")
      ->check(CLI::IsMember({"auto", "yes", "no"}));
  app.add_option("--timeout", o.timeout_seconds, "seconds to wait for a server before giving up")->check(CLI::PositiveNumber);
  app.add_option("--json", o.json_path, "write a machine-readable report to this file");
  app.add_flag("-q,--quiet", o.quiet, "no progress display");
}

}  // namespace

void add_source_options(CLI::App& app, EndpointOptions& o) {
  app.add_option("--from-password-file", o.from_password_file, "file holding the source password");
  app.add_option("--from-oauth-token-cmd", o.from_oauth_command,
                 "log in to the source with an OAuth 2.0 token (OAUTHBEARER or XOAUTH2) this command prints; "
                 "run again for every connection");
  app.add_option("--from-admin", o.from_admin,
                 "log in to the source as this admin (master user) on behalf of the URL's user; "
                 "the password is the admin's");
  add_connection_options(app, o);
}

void add_endpoint_options(CLI::App& app, EndpointOptions& o) {
  app.add_option("--from", o.from_url, "source: imap://USER@HOST[:PORT], imaps://..., pop3://..., pop3s://..., or local mail: maildir:/PATH, mbox:/PATH, eml:/DIR");
  add_source_options(app, o);
  app.add_option("--to", o.to_url, "target server: imap://USER@HOST[:PORT] or imaps://...");
  app.add_option("--to-password-file", o.to_password_file, "file holding the target password");
  app.add_option("--to-oauth-token-cmd", o.to_oauth_command, "the same for the target");
  app.add_option("--to-admin", o.to_admin, "the same for the target");
}

void add_folder_options(CLI::App& app, FolderOptions& o) {
  app.add_option("--include", o.include, "copy only folders whose name (UTF-8, '/' between levels) matches")
      ->take_all();
  app.add_option("--exclude", o.exclude, "leave out folders whose name matches")->take_all();
  app.add_option("--map", o.maps, "rename folders: 'REGEX=REPLACEMENT' (repeatable, applied in order)")->take_all();
  app.add_flag("--no-special-use-mapping", o.no_special_use,
               "keep folder names as they are instead of mapping Sent, Trash, Drafts, Junk, Archive by role");
  app.add_option("--since", o.since, "only messages with INTERNALDATE at or after this (YYYY-MM-DD, UTC)");
  app.add_option("--before", o.before, "only messages with INTERNALDATE before this (YYYY-MM-DD, UTC)");
  app.add_option("--max-size", o.max_size, "only messages of at most this size (bytes, or with K, M, G)");
}

std::string state_dir() {
  const char* state_home = std::getenv("XDG_STATE_HOME");
  const char* home = std::getenv("HOME");
  std::filesystem::path dir = state_home && *state_home ? std::filesystem::path(state_home)
                              : home && *home           ? std::filesystem::path(home) / ".local/state"
                                                        : std::filesystem::path(".");
  return (dir / "mailferry").string();
}

std::string default_state_path() { return state_dir() + "/migrate.db"; }

Result<migrate::MessageFilter> resolve_message_filter(const FolderOptions& o) {
  migrate::MessageFilter filter;
  if (!o.since.empty()) {
    MF_TRY(since, migrate::parse_filter_date(o.since));
    filter.since = since;
  }
  if (!o.before.empty()) {
    MF_TRY(before, migrate::parse_filter_date(o.before));
    filter.before = before;
  }
  if (filter.since && filter.before && *filter.before <= *filter.since)
    return make_error(Errc::Usage, "--before must come after --since");
  if (!o.max_size.empty()) {
    MF_TRY(size, migrate::parse_size(o.max_size));
    filter.max_size = size;
  }
  return filter;
}

Result<migrate::FolderRules> resolve_folder_rules(const FolderOptions& o) {
  return migrate::make_folder_rules(o.include, o.exclude, o.maps, !o.no_special_use);
}

imapclient::ClientOptions client_options(const EndpointOptions& o) {
  imapclient::ClientOptions client;
  client.tls.verify = !o.tls_insecure;
  client.tls.ca_file = o.tls_ca_file;
  client.starttls = !o.no_starttls;
  client.timeout = std::chrono::seconds(o.timeout_seconds);
  client.compress = o.compress == "yes"  ? imapclient::ClientOptions::Compress::Yes
                    : o.compress == "no" ? imapclient::ClientOptions::Compress::No
                                         : imapclient::ClientOptions::Compress::Auto;
  return client;
}

Result<source::Endpoint> resolve_source(const EndpointOptions& o) {
  if (o.from_url.empty()) return make_error(Errc::Usage, "name the source: --from URL");
  bool local = localmail::is_store_url(o.from_url);
  bool pop3 = o.from_url.rfind("pop3://", 0) == 0 || o.from_url.rfind("pop3s://", 0) == 0;
  net::ServerUrl url;
  if (pop3) {
    MF_TRY(parsed, net::parse_pop3_url(o.from_url));
    url = std::move(parsed);
  } else if (!local) {
    MF_TRY(parsed, net::parse_server_url(o.from_url));
    url = std::move(parsed);
  }
  source::Endpoint from{url, o.from_admin, {}, o.from_oauth_command, client_options(o)};
  if (local) from.store = o.from_url;
  from.pop3 = pop3;
  if (from.oauth_token_command.empty() && !local) {
    MF_TRY(password, find_password(o.from_password_file, "MAILFERRY_FROM_PASSWORD", "source", url));
    from.password = std::move(password);
  }
  return from;
}

Result<std::pair<source::Endpoint, source::Endpoint>> resolve_endpoints(const EndpointOptions& o) {
  if (o.from_url.empty() || o.to_url.empty())
    return make_error(Errc::Usage, "name both servers: --from URL --to URL (or --accounts FILE for many accounts)");
  if (localmail::is_store_url(o.to_url))
    return make_error(Errc::Usage, "the target must be an IMAP server (imap:// or imaps://)", o.to_url);
  MF_TRY(from, resolve_source(o));
  MF_TRY(to_url, net::parse_server_url(o.to_url));
  source::Endpoint to{to_url, o.to_admin, {}, o.to_oauth_command, client_options(o)};
  if (to.oauth_token_command.empty()) {
    MF_TRY(password, find_password(o.to_password_file, "MAILFERRY_TO_PASSWORD", "target", to_url));
    to.password = std::move(password);
  }
  return std::pair{std::move(from), std::move(to)};
}

bool write_json_report(const std::string& path, const nlohmann::json& report) {
  if (path.empty()) return true;
  auto text = report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  auto written = write_file_atomically(path, text + "\n");
  if (!written) log::error("cannot write the report: " + written.error().describe());
  return bool(written);
}

}  // namespace mf::cli
