// Errors a user can act on: each names what failed and where (the file, the
// server's side, the folder as the user knows it), with the exit code the
// docs give, and no command claims success it did not have.
#include "tests/integration/harness.h"
#include "tests/support/misbehaving_proxy.h"

#include "core/atomic_file.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sys/mount.h>

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::test;
namespace fs = std::filesystem;

namespace {

// A small tmpfs to fill up: a real full disk. Mounting needs CAP_SYS_ADMIN;
// without it the test says so and checks nothing.
struct SmallDisk {
  std::string path;
  bool mounted = false;
  explicit SmallDisk(const std::string& dir) : path(dir) {
    fs::create_directories(path);
    mounted = ::mount("tmpfs", path.c_str(), "tmpfs", 0, "size=4m") == 0;
  }
  ~SmallDisk() {
    if (mounted) ::umount2(path.c_str(), MNT_DETACH);
  }
  // Leaves no free block.
  void fill() const {
    std::ofstream f(path + "/filler", std::ios::binary);
    std::string block(4096, 'x');
    while (f.write(block.data(), static_cast<std::streamsize>(block.size()))) f.flush();
  }
};

}  // namespace

TEST_CASE("a_password_file_that_cannot_be_read_is_a_usage_error_naming_it", "[integration][target][errors]") {
  TwoServers servers(1);
  for (std::string bad : {servers.dir() + "/no-such-file", servers.dir()}) {
    auto args = servers.migrate_args();
    *(std::find(args.begin(), args.end(), "--from-password-file") + 1) = bad;
    auto run = run_mailferry(args);
    INFO(run.out << run.err);
    CHECK(run.exit_code == 2);  // docs/migrate.md: "no password available"
    CHECK(run.err.find("password file") != std::string::npos);
    CHECK(run.err.find(bad) != std::string::npos);
  }
}

TEST_CASE("imap_to_a_port_that_speaks_tls_fails_at_once_and_suggests_imaps", "[integration][target][errors]") {
  // The imaps port waits for a TLS handshake and sends no greeting: that was
  // retried for minutes with "timed out waiting for data".
  TwoServers servers(1);
  auto args = servers.migrate_args();
  *(std::find(args.begin(), args.end(), "--from") + 1) =
      "imap://alice@127.0.0.1:" + std::to_string(servers.source().imaps_port());
  auto start = std::chrono::steady_clock::now();
  auto run = run_mailferry(with_args(args, {"--timeout", "2", "--retries", "3", "--retry-wait", "1"}));
  auto took = std::chrono::steady_clock::now() - start;
  INFO(run.out << run.err);
  CHECK(run.exit_code == 4);
  CHECK((run.out + run.err).find("sent no greeting") != std::string::npos);
  CHECK((run.out + run.err).find("imaps://") != std::string::npos);
  CHECK((run.out + run.err).find("source 127.0.0.1:") != std::string::npos);
  CHECK(run.err.find("retry") == std::string::npos);
  CHECK(took < std::chrono::seconds(10));  // one timeout, not four
}

TEST_CASE("an_error_names_the_folder_as_the_user_knows_it", "[integration][errors]") {
  // The target refuses to create "Entwürfe": the error shows the name in
  // UTF-8, not the wire form &APw-.
  TwoServers servers(DovecotOptions{{}, '/'}, DovecotOptions{{}, '.'});
  REQUIRE(write_maildir_folder(servers.source().maildir("alice"), {"Entw\xc3\xbcrfe"},
                               {{"Subject: draft\r\n\r\nbody\r\n", {}, 1030000000}}));
  servers.source().fix_ownership();
  MisbehavingProxy refusing(servers.target().imap_port(), Misbehaviour{UINT64_MAX, [](const std::string& response) {
                                                                         auto at = response.find(" OK Create completed");
                                                                         if (at == std::string::npos) return response;
                                                                         return response.substr(0, at) +
                                                                                " NO [CANNOT] not here\r\n";
                                                                       }});
  auto args = servers.migrate_args();
  *(std::find(args.begin(), args.end(), "--to") + 1) = "imap://alice@127.0.0.1:" + std::to_string(refusing.port());
  auto run = run_mailferry(with_args(args, {"--retries", "0"}));
  INFO(run.out << run.err);
  CHECK(run.exit_code == 1);
  CHECK(run.out.find("mailbox \"Entw\xc3\xbcrfe\"") != std::string::npos);
  CHECK(run.out.find("&APw-") == std::string::npos);
}

TEST_CASE("a_full_disk_is_named_by_the_file_and_never_reported_as_ok", "[integration][target][errors]") {
  TwoServers servers(DovecotOptions{{}, '/'}, DovecotOptions{{}, '.'});
  SmallDisk disk(servers.dir() + "/small");
  if (!disk.mounted) {
    WARN("cannot mount a tmpfs here (no CAP_SYS_ADMIN): the full-disk cases are not checked");
    return;
  }
  std::vector<MaildirMessage> messages;
  for (int i = 0; i < 3; ++i)
    messages.push_back({"Subject: m" + std::to_string(i) + "\r\n\r\nbody\r\n", {}, 1030000000 + i});
  REQUIRE(write_maildir_folder(servers.source().maildir("alice"), {}, messages));
  servers.source().fix_ownership();
  std::string archive = disk.path + "/archive";
  auto imported = run_mailferry({"archive", "import", "--archive", archive,
                                 "maildir:" + servers.source().maildir("alice"), "-q"});
  REQUIRE(imported.exit_code == 0);
  // A state file made while there was room, before the disk filled up.
  std::string state = disk.path + "/state.db";
  auto args = servers.migrate_args();
  *(std::find(args.begin(), args.end(), "--state") + 1) = state;
  REQUIRE(run_mailferry(with_args(args, {"--dry-run"})).exit_code == 0);
  disk.fill();

  SECTION("archive verify: the archive is intact, the verification cannot be recorded") {
    auto verify = run_mailferry({"archive", "verify", "--archive", archive});
    INFO(verify.out << verify.err);
    CHECK(verify.exit_code == 5);
    CHECK(verify.out.find("archive verify: OK") == std::string::npos);
    // Refused when the archive is opened, or NOT RECORDED after reading it: never OK.
    CHECK(((verify.out + verify.err).find("No space left on device") != std::string::npos ||
           verify.out.find("NOT RECORDED") != std::string::npos));
  }
  SECTION("migrate: the state file's first write names the file, not an SQL statement") {
    auto run = run_mailferry(args);
    INFO(run.out << run.err);
    CHECK(run.exit_code == 5);
    CHECK((run.out + run.err).find(state) != std::string::npos);
    CHECK((run.out + run.err).find("INSERT") == std::string::npos);
    CHECK(messages_on(servers.target()) == 0);  // nothing sent that could not be recorded
  }
}
