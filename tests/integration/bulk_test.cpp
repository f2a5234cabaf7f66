// Bulk runs: many accounts from one file, in parallel, one state file.
#include "tests/integration/harness.h"

#include "core/atomic_file.h"

#include <nlohmann/json.hpp>

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::test;
using nlohmann::json;

namespace {

const std::vector<std::string> kUsers = {"bob", "carol", "dave"};

std::vector<DovecotUser> users() {
  std::vector<DovecotUser> out;
  for (const auto& u : kUsers) out.push_back({u, u + "-secret"});
  return out;
}

const json& account_of(const json& report, int line) {
  for (const auto& a : report["accounts"])
    if (a["line"] == line) return a;
  FAIL("no account from line " << line);
  static json none;
  return none;
}

}  // namespace

TEST_CASE("bulk_run_fails_only_the_account_with_a_wrong_password_and_resumes", "[integration][bulk]") {
  TwoServers servers(DovecotOptions{users(), '/'}, DovecotOptions{users(), '.'});
  std::map<std::string, std::size_t> filled;
  for (const std::string user : {"alice", "bob", "carol", "dave"}) {
    auto f = fill_standard_mailbox(servers.source(), user, 4);
    REQUIRE(f);
    filled[user] = f->messages;
  }
  servers.source().fix_ownership();
  std::string from = "imap://127.0.0.1:" + std::to_string(servers.source().imap_port());
  std::string to = "imap://127.0.0.1:" + std::to_string(servers.target().imap_port());
  REQUIRE(write_file_atomically(servers.dir() + "/carol-password", "carol-secret\n"));
  // Four ways to give a password; dave's is wrong.
  std::string csv = "# accounts of the test\nfrom_url,from_user,from_password,to_url,to_user,to_password\n" + from +
                    ",alice,alice-secret," + to + ",alice,alice-secret\n" + from +
                    ",bob,\"cmd:printf '%s\\n' bob-secret\"," + to + ",bob,bob-secret\n" + from +
                    ",carol,file:" + servers.dir() + "/carol-password," + to + ",carol,carol-secret\n" + from +
                    ",dave,wrong," + to + ",dave,dave-secret\n";
  REQUIRE(write_file_atomically(servers.dir() + "/accounts.csv", csv));
  auto report = servers.dir() + "/bulk.json";
  auto args = std::vector<std::string>{"migrate", "--accounts", servers.dir() + "/accounts.csv", "--state",
                                       servers.state_path(), "--jobs", "3", "--per-host", "2", "--json", report,
                                       "--no-starttls"};
  auto run = run_mailferry(args);
  INFO(run.out << run.err);
  CHECK(run.exit_code == 1);  // not every account completed
  auto j = json::parse(read_text(report));
  CHECK(j["complete"] == false);
  REQUIRE(j["accounts"].size() == 4);
  int line = 3;
  for (const std::string user : {"alice", "bob", "carol"}) {
    const auto& a = account_of(j, line++);
    CHECK(a["status"] == "completed");
    CHECK(a["copied"] == filled[user]);
    CHECK(messages_on(servers.target(), user) == filled[user]);
  }
  const auto& dave = account_of(j, 6);
  CHECK(dave["status"] == "failed");
  CHECK(dave["error"]["kind"] == "auth");
  CHECK(messages_on(servers.target(), "dave") == 0);
  CHECK(run.out.find("not complete:") != std::string::npos);
  CHECK(run.out.find("line 6 dave@127.0.0.1") != std::string::npos);

  SECTION("the same accounts in imapsync's form, dave's password fixed: only dave is copied") {
    std::string host1 = "127.0.0.1:" + std::to_string(servers.source().imap_port());
    std::string host2 = "127.0.0.1:" + std::to_string(servers.target().imap_port());
    std::string lines;
    for (const std::string user : {"alice", "bob", "carol", "dave"})
      lines += host1 + ";" + user + ";" + user + "-secret;" + host2 + ";" + user + ";" + user + "-secret;\n";
    REQUIRE(write_file_atomically(servers.dir() + "/accounts.txt", lines));
    args[2] = servers.dir() + "/accounts.txt";
    auto again = run_mailferry(args);
    INFO(again.out << again.err);
    CHECK(again.exit_code == 0);
    auto j2 = json::parse(read_text(report));
    CHECK(j2["complete"] == true);
    line = 1;
    for (const std::string user : {"alice", "bob", "carol", "dave"}) {
      const auto& a = account_of(j2, line++);
      CHECK(a["status"] == "completed");
      CHECK(a["copied"] == (user == "dave" ? filled[user] : 0));
      CHECK(a["already_copied"] == (user == "dave" ? 0 : filled[user]));
      CHECK(messages_on(servers.target(), user) == filled[user]);
    }
  }
}
