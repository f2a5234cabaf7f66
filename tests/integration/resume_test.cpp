// Exactly once: SIGKILL at every phase of a batch, resume, and prove with
// verify that no message was lost and none duplicated.
#include "tests/integration/harness.h"

#include "core/sqlite.h"

#include <nlohmann/json.hpp>

#include <random>

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::test;


TEST_CASE("resume_after_kill_loses_and_duplicates_nothing", "[integration][resume]") {
  TwoServers servers(60);
  auto args = servers.migrate_args();
  args.insert(args.end(), {"--batch-mb", "1"});
  std::string point;
  SECTION("killed after fetching a batch") { point = "fetched"; }
  SECTION("killed after recording a batch as pending, before its APPEND") { point = "pending-recorded"; }
  SECTION("killed after the APPEND's OK, before recording it") { point = "appended"; }
  SECTION("killed after recording a batch as copied") { point = "copied-recorded"; }
  SECTION("killed at random moments") { point = "random"; }

  if (point == "random") {
    std::mt19937 rng(Catch::rngSeed());
    for (int i = 0; i < 5; ++i) {
      auto run = run_mailferry_killed(args, std::uniform_int_distribution<int>(20, 400)(rng));
      CHECK((run.exit_code == 128 + 9 || run.exit_code == 0));
    }
  } else {
    for (int nth : {2, 3}) {
      auto run = run_mailferry(args, {"MAILFERRY_CRASH_AT=" + point + ":" + std::to_string(nth)});
      INFO(point << " " << nth << "\n" << run.out << run.err);
      CHECK(run.exit_code == 128 + 9);
    }
  }
  // Mid-APPEND crashes leave messages on the target that the state calls pending.
  if (point == "appended") CHECK(state_number(servers.state_path(), "SELECT COUNT(*) FROM messages WHERE state = 'pending'") > 0);

  auto report = servers.dir() + "/final.json";
  auto final_run = run_mailferry(with_args(args, {"--json", report}));
  INFO(final_run.out << final_run.err);
  REQUIRE(final_run.exit_code == 0);
  auto j = nlohmann::json::parse(read_text(report));
  std::size_t reconciled = 0;
  for (const auto& f : j["folders"]) reconciled += f["reconciled"].get<std::size_t>();
  if (point == "appended") CHECK(reconciled > 0);

  CHECK(state_number(servers.state_path(), "SELECT COUNT(*) FROM messages WHERE state = 'pending'") == 0);
  CHECK(state_number(servers.state_path(), "SELECT COUNT(*) FROM messages") ==
        static_cast<std::int64_t>(servers.filled().messages));
  CHECK(messages_on(servers.target()) == servers.filled().messages);
  auto verify = run_mailferry(servers.verify_args());
  INFO(verify.out);
  CHECK(verify.exit_code == 0);
}
