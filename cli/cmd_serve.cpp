// mailferry serve (docs/serve.md): the IMAP server migrations land in, and
// serve user add|passwd|del|list for its users.
#include "cli/commands.h"
#include "cli/common.h"
#include "core/atomic_file.h"
#include "core/log.h"
#include "server/config.h"
#include "server/server.h"
#include "store/mailstore.h"
#include "store/users.h"

#include <charconv>
#include <iostream>
#include <optional>

namespace mf::cli {
namespace {

// The flags; with --config the file's settings first, each flag given overriding its key.
struct ServeArgs {
  std::string config;
  server::ServeSettings flags;
  std::string ready_file;
};

struct UserArgs {
  std::string data_dir;
  std::string config;  // the data directory from the server's settings file
  std::string name;
  std::string password_file;
  std::string quota;  // user quota: BYTES, "default", or empty to show it
};

int fail(const Error& e) {
  log::error(e.describe());
  return exit_code_for(e);
}

// The new password: from --password-file, MAILFERRY_USER_PASSWORD, or asked twice on the terminal.
Result<std::string> new_password(const UserArgs& args) {
  if (!args.password_file.empty()) {
    MF_TRY(text, read_file(args.password_file));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    if (text.empty()) return make_error(Errc::Usage, "the password file is empty", args.password_file);
    return text;
  }
  if (const char* env = std::getenv("MAILFERRY_USER_PASSWORD")) return std::string(env);
  MF_TRY(first, prompt_password("New password for " + args.name + ": "));
  MF_TRY(again, prompt_password("Again: "));
  if (first != again) return make_error(Errc::Usage, "the two passwords differ");
  if (first.empty()) return make_error(Errc::Usage, "an empty password");
  return first;
}

// serve user quota: shows or sets a user's own quota, kept in the user's catalog.
int run_quota(const UserArgs& args, std::optional<std::uint64_t> default_quota) {
  auto store = store::Mailstore::open(args.data_dir + "/mail/" + args.name);
  if (!store) return fail(store.error());
  if (args.quota == "default") {
    if (auto done = store->set_own_quota(std::nullopt); !done) return fail(done.error());
  } else if (!args.quota.empty()) {
    std::uint64_t bytes = 0;
    auto [end, ec] = std::from_chars(args.quota.data(), args.quota.data() + args.quota.size(), bytes);
    if (ec != std::errc() || end != args.quota.data() + args.quota.size())
      return fail(make_error(Errc::Usage, "a quota is a number of bytes (0: none) or 'default'", args.quota));
    if (auto done = store->set_own_quota(bytes); !done) return fail(done.error());
  }
  store->set_default_quota(default_quota.value_or(0));
  auto used = store->storage_used();
  auto quota = store->quota();
  if (!used) return fail(used.error());
  if (!quota) return fail(quota.error());
  std::cout << args.name << ": " << *used << " bytes used, ";
  if (*quota == 0)
    std::cout << "no quota";
  else
    std::cout << "quota " << *quota << " bytes";
  std::cout << "\n";
  return kExitOk;
}

int run_user(const std::string& action, UserArgs args) {
  std::optional<std::uint64_t> default_quota;  // known from a settings file
  if (args.data_dir.empty() && !args.config.empty()) {
    auto settings = server::load_serve_settings(args.config);
    if (!settings) return fail(settings.error());
    args.data_dir = settings->data;
    default_quota = settings->quota;
  }
  if (args.data_dir.empty()) return fail(make_error(Errc::Usage, "serve user needs --data DIR or --config FILE"));
  if (auto made = make_directory(args.data_dir); !made) return fail(made.error());
  auto users = store::Users::load(args.data_dir + "/users");
  if (!users) return fail(users.error());
  if (action == "list") {
    auto names = users->names();
    for (const auto& name : names) std::cout << name << "\n";
    return kExitOk;
  }
  if (action == "quota") {
    if (!users->exists(args.name)) return fail(make_error(Errc::NotFound, "no such user", args.name));
    return run_quota(args, default_quota);
  }
  Result<void> done;
  if (action == "del") {
    done = users->remove(args.name);
  } else {
    auto password = new_password(args);
    if (!password) return fail(password.error());
    done = action == "add" ? users->add(args.name, *password) : users->set_password(args.name, *password);
  }
  if (done) done = users->save();
  if (!done) return fail(done.error());
  std::cout << (action == "add" ? "added " : action == "del" ? "deleted " : "changed the password of ") << args.name
            << "\n";
  return kExitOk;
}

int run_serve(const ServeArgs& args, const std::function<bool(const char*)>& given) {
  server::ServeSettings settings;
  if (!args.config.empty()) {
    auto loaded = server::load_serve_settings(args.config);
    if (!loaded) return fail(loaded.error());
    settings = std::move(*loaded);
  }
  const auto& f = args.flags;
  if (given("--data")) settings.data = f.data;
  if (given("--imap")) settings.imap = f.imap;
  if (given("--imaps")) settings.imaps = f.imaps;
  if (given("--lmtp")) settings.lmtp = f.lmtp;
  if (given("--tls-cert")) settings.tls_cert = f.tls_cert;
  if (given("--tls-key")) settings.tls_key = f.tls_key;
  if (given("--plaintext-login")) settings.plaintext_login = f.plaintext_login;
  if (given("--append-limit")) settings.append_limit = f.append_limit;
  if (given("--quota")) settings.quota = f.quota;
  if (given("--lmtp-socket-mode")) settings.lmtp_socket_mode = f.lmtp_socket_mode;
  auto converted = server::to_serve_options(settings);
  if (!converted) return fail(converted.error());
  server::ServeOptions options = std::move(*converted);
  std::string ready_file = args.ready_file;
  options.on_listening = [ready_file](const std::vector<std::uint16_t>& ports) {
    // For scripts and tests: the ports bound (port 0 picks one), one per line, once listening.
    if (ready_file.empty()) return;
    std::string text;
    for (auto p : ports) text += std::to_string(p) + "\n";
    if (auto written = write_file_atomically(ready_file, text); !written) log::error(written.error().describe());
  };
  auto served = server::serve(options);
  if (!served) return fail(served.error());
  return kExitOk;
}

}  // namespace

void add_serve_command(CLI::App& app, std::function<void(int)> set_exit) {
  auto args = std::make_shared<ServeArgs>();
  auto* serve = app.add_subcommand("serve", "run the IMAP server (docs/serve.md)");
  auto& f = args->flags;
  serve->add_option("--config", args->config, "settings file (TOML, docs/serve.md); flags given override its keys");
  serve->add_option("--data", f.data, "data directory: users file and mailboxes");
  serve->add_option("--imap", f.imap, "listen for IMAP (STARTTLS when a certificate is set) on HOST:PORT");
  serve->add_option("--imaps", f.imaps, "listen for IMAP over TLS on HOST:PORT");
  serve->add_option("--lmtp", f.lmtp,
                    "listen for LMTP deliveries (RFC 2033) on HOST:PORT or a Unix socket /PATH (no login: keep it local)");
  serve->add_option("--lmtp-socket-mode", f.lmtp_socket_mode, "permissions of LMTP Unix sockets (octal, default 0660)");
  serve->add_option("--tls-cert", f.tls_cert, "certificate chain (PEM); read again on SIGHUP");
  serve->add_option("--tls-key", f.tls_key, "private key (PEM); read again on SIGHUP");
  serve->add_flag("--plaintext-login", f.plaintext_login,
                  "allow passwords without TLS from any address (always allowed on loopback)");
  serve->add_option("--append-limit", f.append_limit, "largest message taken, in bytes (APPENDLIMIT)");
  serve->add_option("--quota", f.quota, "bytes each user may store, where the user has no quota of their own (0: none)");
  serve->add_option("--ready-file", args->ready_file, "write the bound ports here once listening");
  serve->require_subcommand(0, 1);

  auto* user = serve->add_subcommand("user", "manage the server's users");
  user->require_subcommand(1);
  for (std::string action : {"add", "passwd", "del", "list", "quota"}) {
    auto user_args = std::make_shared<UserArgs>();
    auto* sub = user->add_subcommand(action, action == "add"      ? "add a user"
                                             : action == "passwd" ? "change a user's password"
                                             : action == "del"    ? "delete a user (the mailboxes stay)"
                                             : action == "quota"  ? "show or set a user's quota"
                                                                  : "list the users");
    sub->add_option("--data", user_args->data_dir, "data directory");
    sub->add_option("--config", user_args->config, "the server's settings file, for its data directory");
    if (action != "list") sub->add_option("user", user_args->name, "user name")->required();
    if (action == "quota")
      sub->add_option("bytes", user_args->quota, "the user's own quota in bytes (0: none), or 'default' for the server's");
    if (action == "add" || action == "passwd")
      sub->add_option("--password-file", user_args->password_file,
                      "file holding the password (else MAILFERRY_USER_PASSWORD, else asked)");
    sub->callback([action, user_args, set_exit] { set_exit(run_user(action, *user_args)); });
  }
  serve->callback([serve, user, args, set_exit] {
    if (user->parsed()) return;
    set_exit(run_serve(*args, [serve](const char* flag) { return serve->count(flag) > 0; }));
  });
}

}  // namespace mf::cli
