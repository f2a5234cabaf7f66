// The state file and the target disagree: a state file lost (empty), or a
// target emptied and made anew since the last run. Neither may lead to a
// second copy of every message, nor to "0 copied" over an empty target.
#include "tests/integration/harness.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::test;
namespace fs = std::filesystem;

namespace {

std::uint64_t sum(const nlohmann::json& report, const char* field) {
  std::uint64_t n = 0;
  for (const auto& f : report["folders"]) n += f[field].get<std::uint64_t>();
  return n;
}

}  // namespace

TEST_CASE("an_empty_state_file_finds_the_copies_on_the_target_by_hash", "[integration][target][state]") {
  TwoServers servers(10);
  REQUIRE(run_mailferry(servers.migrate_args()).exit_code == 0);
  REQUIRE(messages_on(servers.target()) == servers.filled().messages);
  for (const char* suffix : {"-wal", "-shm"}) fs::remove(servers.state_path() + suffix);
  std::ofstream(servers.state_path(), std::ios::trunc).close();  // a truncated or replaced file
  auto report = run_json(servers.migrate_args(), servers.dir() + "/again.json");
  CHECK(report["copied"] == 0);
  CHECK(sum(report, "found_on_target") == servers.filled().messages);
  CHECK(messages_on(servers.target()) == servers.filled().messages);
  // ...and the state file knows them again: the next pass has nothing to do.
  auto next = run_json(servers.migrate_args(), servers.dir() + "/next.json");
  CHECK(next["copied"] == 0);
  CHECK(sum(next, "found_on_target") == 0);
}

TEST_CASE("a_target_made_anew_after_a_run_gets_every_message_again", "[integration][state]") {
  TwoServers servers(10);
  REQUIRE(run_mailferry(servers.migrate_args()).exit_code == 0);
  fs::remove_all(servers.dovecot_target().maildir("alice"));  // new folders, new UIDVALIDITYs
  REQUIRE(messages_on(servers.target()) == 0);
  auto report = run_json(servers.migrate_args(), servers.dir() + "/again.json");
  CHECK(report["copied"] == servers.filled().messages);
  bool replaced = false;
  for (const auto& f : report["folders"]) replaced = replaced || f["target_replaced"].get<bool>();
  CHECK(replaced);
  CHECK(messages_on(servers.target()) == servers.filled().messages);
  auto verify = run_mailferry(servers.verify_args());
  INFO(verify.out);
  CHECK(verify.exit_code == 0);
}
