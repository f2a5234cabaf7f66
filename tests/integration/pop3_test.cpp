// A POP3 server as the source (Debian's dovecot-pop3d): UIDL checkpoints,
// INTERNALDATE from the Date: header, TLS and STLS, wrong passwords.
#include "tests/integration/harness.h"

#include <nlohmann/json.hpp>

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::test;
using nlohmann::json;

namespace {

std::size_t inbox_of(const ImapServer& server) {
  std::size_t n = 0;
  auto read = with_client(server, "alice", [&](imapclient::Client& c) -> net::Task<Result<void>> {
    MF_CO_TRY(selected, co_await c.select("INBOX", true));
    n = selected.exists;
    co_return Result<void>{};
  });
  REQUIRE(read);
  return n;
}

}  // namespace

TEST_CASE("a_pop3_inbox_migrates_once_and_verifies", "[integration][pop3]") {
  DovecotOptions source{{}, '/'};
  source.pop3 = true;
  TwoServers servers(source, DovecotOptions{{}, '.'});
  REQUIRE(fill_standard_mailbox(servers.source(), "alice", 25));
  std::size_t inbox = inbox_of(servers.source());
  std::string pop3 = "pop3://alice@127.0.0.1:" + std::to_string(servers.source().pop3_port());

  auto report = servers.dir() + "/migrate.json";
  auto run = run_mailferry(with_args(with_source(servers.migrate_args(), pop3, true), {"--json", report}));
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(json::parse(read_text(report))["copied"] == inbox);
  CHECK(messages_on(servers.target()) == inbox);  // POP3 sees INBOX only
  auto verify = run_mailferry(with_source(servers.verify_args(), pop3, true));
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);

  SECTION("a re-run over TLS copies nothing: the UIDLs are on record") {
    std::string pop3s = "pop3s://alice@127.0.0.1:" + std::to_string(servers.source().pop3s_port());
    auto again = run_mailferry(with_args(with_source(servers.migrate_args(true), pop3s, true), {"--json", report}));
    INFO(again.out << again.err);
    CHECK(again.exit_code == 0);
    CHECK(json::parse(read_text(report))["copied"] == 0);
    CHECK(json::parse(read_text(report))["already_copied"] == inbox);
  }
  SECTION("STLS upgrades pop3:// and checks the certificate") {
    auto args = with_source(servers.verify_args(true), pop3, true);
    auto verified = run_mailferry(args);
    INFO(verified.out << verified.err);
    CHECK(verified.exit_code == 0);
  }
  SECTION("a wrong password is an authentication failure") {
    auto args = with_source(servers.migrate_args(), pop3, false);
    auto wrong = run_mailferry(args, {"MAILFERRY_FROM_PASSWORD=wrong"});
    INFO(wrong.out << wrong.err);
    CHECK(wrong.exit_code == 3);
    CHECK(wrong.err.find("login as alice failed") != std::string::npos);
  }
}
