// What the integration tests share: a source and a target Dovecot filled
// with real mail, running the mailferry binary, and talking IMAP to a
// server directly (to damage the target on purpose).
#pragma once

#include "imapclient/client.h"
#include "tests/support/corpus.h"
#include "tests/support/dovecot.h"

#include <nlohmann/json.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mf::test {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs build/cli/mailferry with args (and extra NAME=VALUE environment
// entries), stdin from /dev/null; kills it after timeout_seconds.
RunResult run_mailferry(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
                        int timeout_seconds = 900);
// The same as another user (uid and gid `user`, no groups), from a copy of
// the binary in `dir`, which that user must be able to reach.
RunResult run_mailferry_as(uid_t user, const std::string& dir, const std::vector<std::string>& args,
                           const std::vector<std::string>& env = {});
// The same, but sends SIGKILL after kill_after_ms unless it finished before.
// Runs mailferry allowed at most address_space bytes of memory (RLIMIT_AS).
RunResult run_mailferry_in(std::uint64_t address_space, const std::vector<std::string>& args);
RunResult run_mailferry_killed(const std::vector<std::string>& args, int kill_after_ms);

// mailferry serve on 127.0.0.1 (a port of its choosing) with dir/data, each
// user with the password USER-secret; stopped by PID (SIGTERM, then
// SIGKILL after 10 s) when the object dies.
class OwnServer : public ImapServer {
 public:
  explicit OwnServer(std::string dir, std::vector<std::string> users = {"alice"},
                     std::vector<std::string> extra_args = {});
  ~OwnServer();
  OwnServer(const OwnServer&) = delete;
  OwnServer& operator=(const OwnServer&) = delete;

  // SIGTERM, then wait().
  int stop();
  // Waits (10 s, then SIGKILL) for it to end: its exit code, 128 + the signal when killed.
  int wait();
  std::uint16_t port() const { return port_; }  // the first listener's (IMAP)
  const std::vector<std::uint16_t>& ports() const { return ports_; }  // every listener's, as bound
  pid_t pid() const { return pid_; }
  std::string data() const { return dir_ + "/data"; }
  std::string log() const;  // what it wrote to stderr so far
  std::uint16_t imap_port() const override { return port_; }
  // imaps:// when started with --imaps (its port is the second one bound).
  std::string url(const std::string& user, bool tls = false) const override {
    return std::string(tls ? "imaps://" : "imap://") + user + "@127.0.0.1:" +
           std::to_string(tls && ports_.size() > 1 ? ports_[1] : port_);
  }

 private:
  std::string dir_;
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::vector<std::uint16_t> ports_;
};

class TwoServers {
 public:
  // The source holds the standard mailbox (at most max_per_folder corpus
  // messages per folder) with '/' as delimiter; the target is empty with '.'.
  explicit TwoServers(std::size_t max_per_folder);
  // Empty servers with these options (alice, with the password "alice-secret",
  // is added to the users; the certificate is set here);
  // the test fills the source itself.
  TwoServers(DovecotOptions source, DovecotOptions target);
  ~TwoServers();

  Dovecot& source() { return *source_; }
  // Dovecot, or mailferry serve when MF_TEST_TARGET=serve (the tests tagged
  // [target] run so too: ctest's "serve-target:" tests).
  ImapServer& target() { return own_target_ ? static_cast<ImapServer&>(*own_target_) : *target_; }
  const ImapServer& target() const { return own_target_ ? static_cast<const ImapServer&>(*own_target_) : *target_; }
  // For the tests that do to the target what only Dovecot allows (its files, its options).
  Dovecot& dovecot_target();
  const FilledMailbox& filled() const { return filled_; }
  const std::string& dir() const { return dir_; }
  std::string state_path() const { return dir_ + "/state.db"; }

  // --from/--to and password files over plain IMAP (no STARTTLS), or TLS
  // verified against the fixture's own CA.
  std::vector<std::string> endpoint_args(bool tls) const;
  std::vector<std::string> migrate_args(bool tls = false) const;
  std::vector<std::string> verify_args(bool tls = false) const;

 private:
  std::string dir_;
  std::unique_ptr<Dovecot> source_;
  std::unique_ptr<Dovecot> target_;
  std::unique_ptr<OwnServer> own_target_;
  FilledMailbox filled_;
};

// Logs in to server as user and runs body on the connection.
using ClientBody = std::function<net::Task<Result<void>>(imapclient::Client&)>;
Result<void> with_client(const ImapServer& server, const std::string& user, const ClientBody& body);

std::string read_text(const std::string& path);
// Messages in all of a user's folders on server, counted over IMAP.
std::size_t messages_on(const ImapServer& server, const std::string& user = "alice");
// The single number a query over the state file returns (e.g. a COUNT).
std::int64_t state_number(const std::string& state_path, const char* sql);
std::vector<std::string> with_args(std::vector<std::string> args, std::initializer_list<std::string> more);
// Runs mailferry with `--json report` added, checks its exit code, returns the report.
nlohmann::json run_json(const std::vector<std::string>& args, const std::string& report, int expected_exit = 0);
// Runs SQL on a database file (tampering with a catalog), REQUIREd to succeed.
void run_sql(const std::string& db_path, const std::string& statement);
// migrate/verify arguments with --from replaced by `from`; without its
// password file unless keep_password (local sources, token commands need none).
std::vector<std::string> with_source(std::vector<std::string> args, const std::string& from, bool keep_password);

// The archive servers.dir()/archive, made by importing alice's source Maildir (REQUIREd to succeed).
std::string imported_archive(TwoServers& servers);
// An Ed25519 key pair made with openssl: DIR/NAME.pem and DIR/NAME.pub.pem.
struct KeyPair {
  std::string key, pub;
};
KeyPair make_keys(const std::string& dir, const std::string& name);
// Every regular file under dir, relative to it, sorted.
std::vector<std::string> files_under(const std::string& dir);

}  // namespace mf::test
