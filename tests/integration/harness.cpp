#include "tests/integration/harness.h"

#include <algorithm>

#include "core/atomic_file.h"
#include "core/sqlite.h"

#include "tests/result_printer.h"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <sys/resource.h>
#include <grp.h>
#include <sys/stat.h>
#include <filesystem>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace mf::test {
namespace fs = std::filesystem;

std::string read_text(const std::string& path) {
  auto text = read_file(path);
  return text ? *text : std::string();
}

std::size_t messages_on(const ImapServer& server, const std::string& user) {
  std::size_t total = 0;
  auto counted = with_client(server, user, [&](imapclient::Client& c) -> net::Task<Result<void>> {
    MF_CO_TRY(boxes, co_await c.list());
    for (const auto& box : boxes) {
      if (!box.selectable()) continue;
      MF_CO_TRY(selected, co_await c.select(box.name, true));
      total += selected.exists;
    }
    co_return Result<void>{};
  });
  REQUIRE(counted);
  return total;
}

std::int64_t state_number(const std::string& state_path, const char* sql) {
  auto db = sql::Database::open(state_path);
  REQUIRE(db);
  auto query = db->prepare(sql);
  REQUIRE(query);
  REQUIRE(query->step().has_value());
  return query->column_int(0);
}

std::vector<std::string> with_args(std::vector<std::string> args, std::initializer_list<std::string> more) {
  args.insert(args.end(), more);
  return args;
}

std::vector<std::string> with_source(std::vector<std::string> args, const std::string& from, bool keep_password) {
  auto it = std::find(args.begin(), args.end(), "--from");
  *(it + 1) = from;
  if (!keep_password) {
    auto pw = std::find(args.begin(), args.end(), "--from-password-file");
    args.erase(pw, pw + 2);
  }
  return args;
}

namespace {

RunResult run_process(const std::vector<std::string>& args, const std::vector<std::string>& env,
                      std::chrono::milliseconds kill_after, bool kill_is_failure, uid_t as_user = 0,
                      const std::string& binary_path = {}, rlim_t address_space = 0) {
  char out_template[] = "/tmp/mailferry-run-XXXXXX";
  std::string dir = ::mkdtemp(out_template);
  std::string out_path = dir + "/out", err_path = dir + "/err";
  pid_t pid = ::fork();
  if (pid == 0) {
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int in = ::open("/dev/null", O_RDONLY);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    for (const auto& entry : env) ::putenv(const_cast<char*>(entry.c_str()));
    std::vector<char*> argv;
    // MF_TEST_BINARY runs the tests against another build (an older one, to
    // see a test fail before its fix).
    std::string binary = !binary_path.empty()         ? binary_path
                         : std::getenv("MF_TEST_BINARY") ? std::getenv("MF_TEST_BINARY")
                                                         : MF_BINARY;
    if (as_user != 0 && (::setgroups(0, nullptr) != 0 || ::setgid(as_user) != 0 || ::setuid(as_user) != 0))
      ::_exit(126);
    rlimit limit{address_space, address_space};
    if (address_space != 0 && ::setrlimit(RLIMIT_AS, &limit) != 0) ::_exit(126);
    argv.push_back(binary.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  RunResult result;
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + kill_after;
  for (;;) {
    if (::waitpid(pid, &status, WNOHANG) == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      if (kill_is_failure) FAIL("mailferry did not finish within " << kill_after.count() << " ms");
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_text(out_path);
  result.err = read_text(err_path);
  fs::remove_all(dir);
  return result;
}

}  // namespace

RunResult run_mailferry(const std::vector<std::string>& args, const std::vector<std::string>& env,
                        int timeout_seconds) {
  return run_process(args, env, std::chrono::seconds(timeout_seconds), true);
}

RunResult run_mailferry_as(uid_t user, const std::string& dir, const std::vector<std::string>& args,
                           const std::vector<std::string>& env) {
  // The build may lie where the user cannot reach it (a checkout in a 0700 directory): a copy can.
  std::string binary = dir + "/mailferry";
  std::error_code ec;
  if (!fs::exists(binary, ec))
    fs::copy_file(std::getenv("MF_TEST_BINARY") ? std::getenv("MF_TEST_BINARY") : MF_BINARY, binary, ec);
  REQUIRE_FALSE(ec);
  return run_process(args, env, std::chrono::seconds(900), true, user, binary);
}

RunResult run_mailferry_in(std::uint64_t address_space, const std::vector<std::string>& args) {
  return run_process(args, {}, std::chrono::seconds(900), true, 0, {}, address_space);
}

RunResult run_mailferry_killed(const std::vector<std::string>& args, int kill_after_ms) {
  return run_process(args, {}, std::chrono::milliseconds(kill_after_ms), false);
}

TwoServers::TwoServers(DovecotOptions source_options, DovecotOptions target_options) {
  char templ[] = "/tmp/mailferry-test-XXXXXX";
  dir_ = ::mkdtemp(templ);
  ::chmod(dir_.c_str(), 0755);  // Dovecot's unprivileged processes must reach their files
  source_options.users.insert(source_options.users.begin(), {"alice", "alice-secret"});
  auto source = Dovecot::start(dir_ + "/source", source_options);
  REQUIRE(source);
  source_ = std::move(*source);
  const char* kind = std::getenv("MF_TEST_TARGET");
  if (kind && std::string(kind) == "serve") {
    // The same certificate as the source's (one CA file verifies both), for IMAPS and STARTTLS.
    own_target_ = std::make_unique<OwnServer>(
        dir_ + "/target", std::vector<std::string>{"alice"},
        std::vector<std::string>{"--imaps", "127.0.0.1:0", "--tls-cert", source_->dir() + "/cert.pem", "--tls-key",
                                 source_->dir() + "/key.pem"});
  } else {
    target_options.users.insert(target_options.users.begin(), {"alice", "alice-secret"});
    target_options.certificate_from = source_->dir();  // one CA file verifies both
    auto target = Dovecot::start(dir_ + "/target", target_options);
    REQUIRE(target);
    target_ = std::move(*target);
  }
  REQUIRE(write_file_atomically(dir_ + "/password", "alice-secret\n").has_value());
}

TwoServers::TwoServers(std::size_t max_per_folder) : TwoServers(DovecotOptions{{}, '/'}, DovecotOptions{{}, '.'}) {
  auto filled = fill_standard_mailbox(*source_, "alice", max_per_folder);
  if (!filled) FAIL(filled.error().describe());
  filled_ = *filled;
}

Dovecot& TwoServers::dovecot_target() {
  if (!target_) FAIL("this test needs Dovecot as the target (MF_TEST_TARGET=serve is set)");
  return *target_;
}

TwoServers::~TwoServers() {
  source_.reset();
  target_.reset();
  own_target_.reset();
  std::error_code ec;
  if (!std::getenv("MF_KEEP_TEST_DIRS")) fs::remove_all(dir_, ec);
}

std::vector<std::string> TwoServers::endpoint_args(bool tls) const {
  std::vector<std::string> args = {"--from", source_->url("alice", tls), "--to", target().url("alice", tls),
                                   "--from-password-file", dir_ + "/password", "--to-password-file",
                                   dir_ + "/password", "--quiet"};
  if (tls) {
    args.push_back("--tls-ca-file");
    args.push_back(source_->ca_file());
  } else {
    args.push_back("--no-starttls");
  }
  return args;
}

std::vector<std::string> TwoServers::migrate_args(bool tls) const {
  auto args = endpoint_args(tls);
  args.insert(args.begin(), "migrate");
  args.push_back("--state");
  args.push_back(state_path());
  return args;
}

std::vector<std::string> TwoServers::verify_args(bool tls) const {
  auto args = endpoint_args(tls);
  args.insert(args.begin(), "verify");
  return args;
}

OwnServer::OwnServer(std::string dir, std::vector<std::string> users, std::vector<std::string> extra_args)
    : dir_(std::move(dir)) {
  fs::create_directories(dir_);
  for (const auto& user : users) {
    REQUIRE(write_file_atomically(dir_ + "/" + user + ".password", user + "-secret\n").has_value());
    auto added = run_mailferry({"serve", "user", "add", "--data", data(), user, "--password-file",
                                dir_ + "/" + user + ".password"});
    INFO(added.err);
    REQUIRE(added.exit_code == 0);
  }
  std::string ready = dir_ + "/ready";
  fs::remove(ready);
  std::vector<std::string> args = {"serve", "--data", data(), "--imap", "127.0.0.1:0", "--ready-file", ready};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::string binary = std::getenv("MF_TEST_BINARY") ? std::getenv("MF_TEST_BINARY") : MF_BINARY;
  std::string log_path = dir_ + "/serve.log";
  pid_ = ::fork();
  if (pid_ == 0) {
    int err = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    int in = ::open("/dev/null", O_RDONLY);
    ::dup2(in, 0);
    ::dup2(err, 1);
    ::dup2(err, 2);
    std::vector<char*> argv{binary.data()};
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  for (int i = 0; i < 500 && port_ == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::error_code ec;
    if (fs::exists(ready, ec)) {
      std::istringstream lines(read_text(ready));
      for (std::string line; std::getline(lines, line);) ports_.push_back(static_cast<std::uint16_t>(std::stoi(line)));
      if (!ports_.empty()) port_ = ports_.front();
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      FAIL("mailferry serve ended at start: " << log());
    }
  }
  if (port_ == 0) FAIL("mailferry serve did not listen within 5 s: " << log());
}

int OwnServer::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  return wait();
}

int OwnServer::wait() {
  if (pid_ <= 0) return -1;
  int status = 0;
  for (int i = 0; i < 1000; ++i) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return 128 + SIGKILL;
}

OwnServer::~OwnServer() { stop(); }

std::string OwnServer::log() const { return read_text(dir_ + "/serve.log"); }

Result<void> with_client(const ImapServer& server, const std::string& user, const ClientBody& body) {
  boost::asio::io_context io;
  Result<void> result = make_error(Errc::Io, "not run");
  auto task = [&]() -> net::Task<Result<void>> {
    imapclient::ClientOptions options;
    options.starttls = false;
    auto url = net::parse_server_url(server.url(user, false));
    MF_CO_TRY(client, co_await imapclient::Client::connect(io.get_executor(), *url, options));
    MF_CO_CHECK(co_await client->login(user, user + "-secret"));
    MF_CO_CHECK(co_await body(*client));
    (void)co_await client->logout();
    co_return Result<void>{};
  };
  boost::asio::co_spawn(io, task(), [&](std::exception_ptr e, Result<void> r) {
    if (e) std::rethrow_exception(e);
    result = std::move(r);
  });
  io.run();
  return result;
}

nlohmann::json run_json(const std::vector<std::string>& args, const std::string& report, int expected_exit) {
  auto run = run_mailferry(with_args(args, {"--json", report}));
  INFO(run.out << run.err);
  CHECK(run.exit_code == expected_exit);
  return nlohmann::json::parse(read_text(report));
}

void run_sql(const std::string& db_path, const std::string& statement) {
  auto db = sql::Database::open(db_path);
  REQUIRE(db);
  REQUIRE(db->exec(statement));
}

std::string imported_archive(TwoServers& servers) {
  std::string dir = servers.dir() + "/archive";
  auto import = run_mailferry({"archive", "import", "--archive", dir, "maildir:" + servers.source().maildir("alice"), "-q"});
  INFO(import.out << import.err);
  REQUIRE(import.exit_code == 0);
  return dir;
}

KeyPair make_keys(const std::string& dir, const std::string& name) {
  KeyPair k{dir + "/" + name + ".pem", dir + "/" + name + ".pub.pem"};
  REQUIRE(std::system(("openssl genpkey -algorithm ed25519 -out " + k.key + " 2>/dev/null && openssl pkey -in " +
                       k.key + " -pubout -out " + k.pub + " 2>/dev/null")
                          .c_str()) == 0);
  return k;
}

std::vector<std::string> files_under(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file()) names.push_back(std::filesystem::relative(e.path(), dir).generic_string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace mf::test
