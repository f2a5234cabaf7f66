// OAuth 2.0 logins (OAUTHBEARER, XOAUTH2) with --from-oauth-token-cmd against
// a Dovecot that validates JWTs itself; a token that expires mid-run is
// replaced by running the command again for the next connection.
#include "tests/integration/harness.h"
#include "tests/support/misbehaving_proxy.h"

#include "core/atomic_file.h"

#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::test;
using nlohmann::json;

namespace {

const std::string kKey = "mailferry-test-signing-key-0123456789";

std::string hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

// A shell script printing an HS256 JWT for $MAILFERRY_USER, valid for
// `lifetime` seconds, signed with `key`; it counts its runs in DIR/token-runs.
std::string token_script(const std::string& dir, const std::string& key, int lifetime) {
  std::string path = dir + "/token.sh";
  std::string script =
      "#!/bin/sh\nset -e\n"
      "b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }\n"
      "now=$(date +%s)\n"
      "h=$(printf '{\"alg\":\"HS256\",\"typ\":\"JWT\"}' | b64url)\n"
      "p=$(printf '{\"sub\":\"%s\",\"iat\":%d,\"exp\":%d}' \"$MAILFERRY_USER\" $now $((now + " +
      std::to_string(lifetime) +
      "))"
      " | b64url)\n"
      "s=$(printf '%s.%s' \"$h\" \"$p\" | openssl dgst -sha256 -mac HMAC -macopt hexkey:" +
      hex(key) +
      " -binary | b64url)\n"
      "echo run >> '" +
      dir +
      "/token-runs'\n"
      "echo \"$h.$p.$s\"\n";
  REQUIRE(write_file_atomically(path, script));
  ::chmod(path.c_str(), 0755);
  return path;
}

// Arguments with the source reached through `port` and logged in to with
// the token command instead of a password.
std::vector<std::string> oauth_args(std::vector<std::string> args, std::uint16_t port, const std::string& command) {
  return with_args(with_source(std::move(args), "imap://alice@127.0.0.1:" + std::to_string(port), false),
                   {"--from-oauth-token-cmd", command});
}

// An empty target and a source Dovecot that takes tokens signed with kKey (RFC 7628).
std::unique_ptr<TwoServers> oauth_servers() {
  DovecotOptions source{{}, '/'};
  source.oauth_key = kKey;
  return std::make_unique<TwoServers>(source, DovecotOptions{{}, '.'});
}

}  // namespace

TEST_CASE("an_oauth_token_logs_in_and_a_forged_one_is_refused", "[integration][oauth]") {
  auto servers_ptr = oauth_servers();
  TwoServers& servers = *servers_ptr;
  auto filled = fill_standard_mailbox(servers.source(), "alice", 5);
  REQUIRE(filled);
  auto command = token_script(servers.dir(), kKey, 600);

  auto report = servers.dir() + "/migrate.json";
  CHECK(run_json(oauth_args(servers.migrate_args(), servers.source().imap_port(), command), report)["copied"] ==
        filled->messages);
  auto verify = run_mailferry(oauth_args(servers.verify_args(), servers.source().imap_port(), command));
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);

  auto forged = token_script(servers.dir(), "another key", 600);
  auto refused = run_mailferry(oauth_args(servers.migrate_args(), servers.source().imap_port(), forged));
  INFO(refused.out << refused.err);
  CHECK(refused.exit_code == 3);
  CHECK(refused.err.find("login as alice with an OAuth token failed") != std::string::npos);
  CHECK(refused.err.find("AUTHENTICATIONFAILED") != std::string::npos);

  auto broken = run_mailferry(oauth_args(servers.migrate_args(), servers.source().imap_port(), "exit 7"));
  CHECK(broken.exit_code == 3);
  CHECK(broken.err.find("status 7") != std::string::npos);
}

TEST_CASE("an_expired_token_is_replaced_when_a_dropped_connection_logs_in_again", "[integration][oauth]") {
  auto servers_ptr = oauth_servers();
  TwoServers& servers = *servers_ptr;
  auto filled = fill_standard_mailbox(servers.source(), "alice", 100);
  REQUIRE(filled);
  auto command = token_script(servers.dir(), kKey, 1);  // expired by the time the next connection logs in
  MisbehavingProxy proxy(servers.source().imap_port(), {1500 * 1000});
  auto args = oauth_args(servers.migrate_args(), proxy.port(), command);
  args.insert(args.end(), {"--batch-mb", "1", "--retries", "30", "--retry-wait", "2", "--connections", "1"});
  auto run = run_mailferry(args);
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(proxy.cuts() >= 1);
  auto runs = read_text(servers.dir() + "/token-runs");
  CHECK(static_cast<std::size_t>(std::count(runs.begin(), runs.end(), '\n')) >= proxy.cuts() + 1);
  CHECK(messages_on(servers.target()) == filled->messages);
}
