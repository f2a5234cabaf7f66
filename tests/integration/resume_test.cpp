// Exactly once: SIGKILL at every phase of a batch, resume, and prove with
// verify that no message was lost and none duplicated.
#include "tests/integration/harness.h"
#include "tests/support/misbehaving_proxy.h"

#include "core/sqlite.h"

#include <nlohmann/json.hpp>

#include <random>

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::test;


TEST_CASE("resume_after_kill_loses_and_duplicates_nothing", "[integration][target][resume]") {
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

TEST_CASE("a_message_the_target_stores_with_other_line_ends_is_not_copied_twice_after_a_crash", "[integration][resume]") {
  // Dovecot stores "CR CR LF" as "CR LF": after a crash between the APPEND's OK
  // and its record, only the line-ending-blind hash finds that message again.
  TwoServers servers(DovecotOptions{{}, '/'}, DovecotOptions{{}, '.'});
  std::vector<MaildirMessage> messages;
  for (int i = 0; i < 3; ++i)
    messages.push_back({"Subject: plain " + std::to_string(i) + "\r\n\r\nbody\r\n", {"\\Seen"}, 1030000000 + i});
  messages.push_back({"Subject: lone CR\r\n\r\nline one\r\r\nline two\r\n", {}, 1030000100});
  REQUIRE(write_maildir_folder(servers.source().maildir("alice"), {}, messages));
  servers.source().fix_ownership();

  auto crashed = run_mailferry(servers.migrate_args(), {"MAILFERRY_CRASH_AT=appended:1"});
  REQUIRE(crashed.exit_code == 128 + 9);
  REQUIRE(messages_on(servers.target()) == 4);
  auto report = servers.dir() + "/final.json";
  auto start = std::chrono::steady_clock::now();
  auto resumed = run_mailferry(with_args(servers.migrate_args(), {"--json", report}));
  INFO(resumed.out << resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(8));  // found at once, no settling wait
  auto j = nlohmann::json::parse(read_text(report));
  CHECK(j["folders"][0]["reconciled"] == 4);
  CHECK(j["copied"] == 0);
  CHECK(messages_on(servers.target()) == 4);
  auto verify = run_mailferry(with_args(servers.verify_args(), {"--ignore-line-endings"}));
  INFO(verify.out);
  CHECK(verify.exit_code == 0);
  CHECK(verify.out.find("line-endings-differ") != std::string::npos);  // the quirk is real here
}

TEST_CASE("a_message_the_target_rewrites_is_not_copied_twice_after_a_crash_and_the_report_says_so",
          "[integration][target][resume]") {
  // Cyrus (munge8bit, its default) replaces each 8-bit header byte with 'X' on
  // APPEND: the proxy in front of the target does the same to what mailferry
  // sends, so after a crash between the APPEND's OK and its record the
  // message's SHA-256 is not on the target; its rewrite-blind hash is.
  TwoServers servers(DovecotOptions{{}, '/'}, DovecotOptions{{}, '.'});
  std::vector<MaildirMessage> messages;
  for (int i = 0; i < 3; ++i)
    messages.push_back({"Subject: plain " + std::to_string(i) + "\r\n\r\nbody\r\n", {"\\Seen"}, 1030000000 + i});
  messages.push_back({"Message-ID: <8bit@x>\r\nSubject: Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln\r\n\r\nbody\r\n", {},
                      1030000100});
  REQUIRE(write_maildir_folder(servers.source().maildir("alice"), {}, messages));
  servers.source().fix_ownership();
  MisbehavingProxy munge8bit(servers.target().imap_port(), Misbehaviour{UINT64_MAX, {}, [](std::string& bytes) {
                                                                         for (auto& c : bytes)
                                                                           if (static_cast<unsigned char>(c) >= 0x80) c = 'X';
                                                                       }});
  auto args = servers.migrate_args();
  auto to = std::find(args.begin(), args.end(), "--to");
  *(to + 1) = "imap://alice@127.0.0.1:" + std::to_string(munge8bit.port());

  auto crashed = run_mailferry(args, {"MAILFERRY_CRASH_AT=appended:1"});
  REQUIRE(crashed.exit_code == 128 + 9);
  REQUIRE(messages_on(servers.target()) == 4);
  auto report = servers.dir() + "/final.json";
  auto resumed = run_mailferry(with_args(args, {"--json", report}));
  INFO(resumed.out << resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK(messages_on(servers.target()) == 4);  // not sent a second time
  auto j = nlohmann::json::parse(read_text(report));
  CHECK(j["folders"][0]["reconciled"] == 4);
  CHECK(j["folders"][0]["altered_by_target"] == 1);
  REQUIRE(j["folders"][0]["notes"].size() == 1);
  CHECK(j["folders"][0]["notes"][0]["source_uid"] == 4);
  CHECK(resumed.out.find("the target keeps it with other bytes") != std::string::npos);

  auto verify = run_mailferry(with_args(servers.verify_args(), {"--ignore-line-endings"}));
  INFO(verify.out);
  CHECK(verify.exit_code == 1);  // changed header bytes are a difference, named for what they are
  CHECK(verify.out.find("rewritten-by-target") != std::string::npos);
  CHECK(verify.out.find("content-differs") == std::string::npos);
}

TEST_CASE("ctrl_c_stops_after_the_batch_in_flight_and_the_next_run_continues", "[integration][target][resume]") {
  // SIGINT right after the first batch is recorded (as a user's Ctrl-C): no
  // new batch starts, nothing is left pending, the run says how to go on.
  TwoServers servers(60);
  auto args = with_args(servers.migrate_args(), {"--batch-mb", "1", "--connections", "1"});
  auto stopped = run_mailferry(args, {"MAILFERRY_SIGNAL_AT=copied-recorded:1"});
  INFO(stopped.out << stopped.err);
  CHECK(stopped.exit_code == 130);
  CHECK(stopped.err.find("stopping after the batch in flight") != std::string::npos);
  CHECK((stopped.out + stopped.err).find("run the same command again to continue") != std::string::npos);
  CHECK(state_number(servers.state_path(), "SELECT COUNT(*) FROM messages WHERE state = 'pending'") == 0);
  auto copied = state_number(servers.state_path(), "SELECT COUNT(*) FROM messages WHERE state = 'copied'");
  CHECK(copied > 0);
  CHECK(copied < static_cast<std::int64_t>(servers.filled().messages));
  CHECK(static_cast<std::int64_t>(messages_on(servers.target())) == copied);

  auto resumed = run_mailferry(args);
  INFO(resumed.out << resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK(messages_on(servers.target()) == servers.filled().messages);
  auto verify = run_mailferry(servers.verify_args());
  INFO(verify.out);
  CHECK(verify.exit_code == 0);
}
