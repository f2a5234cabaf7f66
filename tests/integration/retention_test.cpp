// mailferry archive policy / hold / purge: retention classes, the locked
// minimum, legal holds, purge with tombstones and compaction (also when
// killed midway), and verify proving both completeness and the retention.
#include "tests/integration/harness.h"

#include "core/atomic_file.h"
#include "tests/support/temp_dir.h"

#include <chrono>
#include <ctime>
#include <filesystem>

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Hand-made mail: one from this year (kept for years yet whatever is asked),
// one from 2003 by a company under a legal hold.
std::string write_eml_dir(const std::string& dir) {
  fs::create_directories(dir);
  std::time_t now = std::time(nullptr);
  char date[64];
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", std::gmtime(&now));
  REQUIRE(write_file_atomically(dir + "/recent.eml", std::string("From: buchhaltung@example.org\r\nTo: alice@example.org\r\n"
                                                                 "Subject: Rechnung\r\nMessage-ID: <recent@example.org>\r\n"
                                                                 "Date: ") + date + "\r\n\r\nRechnung anbei.\r\n"));
  REQUIRE(write_file_atomically(dir + "/held.eml", "From: Counsel <counsel@acme.example>\r\nTo: alice@example.org\r\n"
                                                   "Subject: Settlement\r\nMessage-ID: <held@acme.example>\r\n"
                                                   "Date: Tue, 4 Mar 2003 10:00:00 +0000\r\n\r\nKeep this.\r\n"));
  // The same mail as delivered to another mailbox: other headers, the same body (stored once).
  REQUIRE(write_file_atomically(dir + "/copy.eml", "Delivered-To: bob@example.org\r\nFrom: Counsel <counsel@acme.example>\r\n"
                                                   "To: alice@example.org\r\nSubject: Settlement\r\n"
                                                   "Message-ID: <held@acme.example>\r\n"
                                                   "Date: Tue, 4 Mar 2003 10:00:00 +0000\r\n\r\nKeep this.\r\n"));
  // A file's time is its INTERNALDATE; retention counts from the later of it and Date:.
  for (const char* name : {"/held.eml", "/copy.eml"})
    fs::last_write_time(dir + name, fs::file_time_type::clock::now() - std::chrono::hours(24 * 365 * 20));
  return "eml:" + dir;
}

}  // namespace

TEST_CASE("archive_retention_hold_and_purge", "[integration][archive][retention]") {
  TwoServers servers(8);
  std::string dir = servers.dir() + "/archive";
  std::string report = servers.dir() + "/report.json";
  auto in = [&](std::vector<std::string> args) { return with_args(std::move(args), {"--archive", dir}); };
  REQUIRE(run_mailferry(in({"archive", "import", "maildir:" + servers.source().maildir("alice"), "-q"})).exit_code == 0);
  REQUIRE(run_mailferry(in({"archive", "import", write_eml_dir(servers.dir() + "/eml"), "-q"})).exit_code == 0);
  auto eml_only = run_json({"archive", "import", "--archive", servers.dir() + "/eml-archive", "eml:" + servers.dir() + "/eml"},
                           report);
  CHECK(eml_only["archived"] == 3);
  auto eml_stats = run_json({"archive", "stats", "--archive", servers.dir() + "/eml-archive"}, report);
  CHECK(eml_stats["messages"] == 3);
  CHECK(eml_stats["bodies"] == 2);  // the copy's body is the held message's
  auto before = run_json(in({"archive", "stats"}), report);
  std::uint64_t messages = before["messages"];
  std::string segment = dir + "/segments/00000001.seg";
  auto segment_size = fs::file_size(segment);

  // Classes may be lengthened, never shortened or removed.
  std::string longer = servers.dir() + "/longer.json", shorter = servers.dir() + "/shorter.json";
  REQUIRE(write_file_atomically(longer, R"({"classes": {"default": 6, "books": 10},
      "rules": [{"class": "books", "from_domain": "example.org", "folder": "Entw*"}]})"));
  REQUIRE(write_file_atomically(shorter, R"({"classes": {"default": 5, "books": 10}})"));
  CHECK(run_mailferry(in({"archive", "policy", "set", longer})).exit_code == 0);
  auto refused = run_mailferry(in({"archive", "policy", "set", shorter}));
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("never shortened: class \"default\" would keep 5 years instead of 6") != std::string::npos);
  auto policy = run_json(in({"archive", "policy", "show"}), report);
  CHECK(policy["classes"]["books"] == 10);

  // The corpus (2002) is past even ten years; the recent message is not.
  REQUIRE(run_mailferry(in({"archive", "hold", "add", "--case", "acme", "--query", "from:acme.example"})).exit_code == 0);
  auto holds = run_json(in({"archive", "hold", "list"}), report);
  REQUIRE(holds.size() == 1);
  CHECK(holds[0]["case"] == "acme");
  CHECK(holds[0]["messages"] == 2);  // the message and its copy
  CHECK(run_mailferry(in({"archive", "hold", "add", "--case", "acme", "--account", "x"})).exit_code == 2);  // in place

  auto dry = run_json(in({"archive", "purge", "--dry-run"}), report);
  CHECK(dry["expired"] == messages - 1);  // all but the recent one
  CHECK(dry["held"] == 2);
  CHECK(dry["to_purge"] == messages - 3);
  CHECK(dry["purged"] == 0);
  CHECK(run_json(in({"archive", "stats"}), report)["messages"] == messages);

  // Killed after the tombstones were recorded, then after the compacted
  // copy was committed but before it replaced the segment: each time the
  // archive verifies, and the next purge finishes the work.
  for (const char* point : {"purge-recorded", "compaction-committed"}) {
    INFO(point);
    auto killed = run_mailferry(in({"archive", "purge"}), {std::string("MAILFERRY_CRASH_AT=") + point});
    CHECK(killed.exit_code == 128 + 9);
    auto verify = run_mailferry(in({"archive", "verify"}));
    INFO(verify.out << verify.err);
    CHECK(verify.exit_code == 0);
  }
  auto purged = run_json(in({"archive", "purge"}), report);
  CHECK(purged["purged"] == 0);  // the tombstones of the first killed run stand; only compaction was left
  auto after = run_json(in({"archive", "stats"}), report);
  CHECK(after["messages"] == 3);
  CHECK(after["bodies"] == 2);
  CHECK(after["purged"] == messages - 3);
  CHECK(fs::file_size(segment) < segment_size / 2);
  CHECK(fs::directory_iterator(dir + "/segments") != fs::directory_iterator());
  for (const auto& entry : fs::directory_iterator(dir + "/segments")) CHECK(entry.path().extension() == ".seg");

  // Purged messages are gone, with a reason; the held and the recent one are served.
  auto gone = run_mailferry(in({"archive", "get", "1"}));
  CHECK(gone.exit_code == 1);
  CHECK(gone.err.find("was purged") != std::string::npos);
  CHECK(run_mailferry(in({"archive", "get", "--message-id", "<held@acme.example>"})).exit_code == 0);
  CHECK(run_mailferry(in({"archive", "get", "--message-id", "<recent@example.org>"})).exit_code == 0);

  // Released, the held message goes; the recent one stays, whoever asks.
  REQUIRE(run_mailferry(in({"archive", "hold", "release", "--case", "acme"})).exit_code == 0);
  CHECK(run_mailferry(in({"archive", "hold", "release", "--case", "acme"})).exit_code == 1);
  CHECK(run_json(in({"archive", "purge"}), report)["purged"] == 2);
  CHECK(run_json(in({"archive", "purge"}), report)["purged"] == 0);
  CHECK(run_mailferry(in({"archive", "get", "--message-id", "<recent@example.org>"})).exit_code == 0);

  auto verify = run_mailferry(in({"archive", "verify"}));
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
  // Every step is in the audit trail.
  auto audit = run_json(in({"archive", "audit"}), report);
  std::set<std::string> commands;
  for (const auto& e : audit) commands.insert(e.value("command", ""));
  for (const char* c : {"policy set", "policy show", "hold add", "hold list", "hold release", "purge --dry-run", "purge"})
    CHECK(commands.count(c) == 1);

  // The segments alone give the same catalog, tombstones and retention included.
  REQUIRE(run_mailferry(in({"archive", "rebuild"})).exit_code == 0);
  CHECK(run_mailferry(in({"archive", "verify"})).exit_code == 0);
  CHECK(run_json(in({"archive", "stats"}), report)["purged"] == messages - 1);

  SECTION("a retention shortened in the catalog is caught") {
    run_sql(dir + "/archive.db", "UPDATE messages SET retain_until = 0 WHERE message_id = '<recent@example.org>'");
    auto tampered = run_mailferry(in({"archive", "verify"}));
    CHECK(tampered.exit_code == 1);
    CHECK(tampered.out.find("retain-until 0 in the catalog") != std::string::npos);
  }
  SECTION("a message marked purged in the catalog without a tombstone is caught") {
    run_sql(dir + "/archive.db", "UPDATE messages SET purged = 1 WHERE message_id = '<recent@example.org>'");
    auto tampered = run_mailferry(in({"archive", "verify"}));
    CHECK(tampered.exit_code == 1);
    CHECK(tampered.out.find("marked purged without a tombstone") != std::string::npos);
  }
}

// A copy of a mail (same body, a head of its own) is stored as a delta on
// the first one's head; when that first one is purged and the copy is held,
// the copy's head is stored whole again before the first one's frame goes,
// also when purge is killed midway.
TEST_CASE("archive_purge_keeps_a_held_copy_whose_head_was_a_delta", "[integration][archive][retention]") {
  TempDir scratch;
  const std::string& work = scratch.path;
  std::string eml = work + "/eml", dir = work + "/archive", report = work + "/report.json";
  fs::create_directories(eml);
  std::string body = "\r\nThe quarterly figures, as promised.\r\n" + std::string(2000, 'x') + "\r\n";
  std::string head = "From: Sales <sales@old.example>\r\nSubject: Figures\r\nMessage-ID: <figures@old.example>\r\n"
                     "Date: Tue, 4 Mar 2003 10:00:00 +0000\r\n";
  REQUIRE(write_file_atomically(eml + "/1-first.eml", "To: dave@example.org\r\n" + head + body));
  REQUIRE(write_file_atomically(eml + "/2-copy.eml", "Delivered-To: carol@example.org\r\nTo: carol@example.org\r\n" + head + body));
  for (const char* name : {"/1-first.eml", "/2-copy.eml"})
    fs::last_write_time(eml + name, fs::file_time_type::clock::now() - std::chrono::hours(24 * 365 * 20));
  auto in = [&](std::vector<std::string> args) { return with_args(std::move(args), {"--archive", dir}); };
  REQUIRE(run_mailferry(in({"archive", "import", "eml:" + eml, "-q"})).exit_code == 0);
  CHECK(state_number(dir + "/archive.db", "SELECT COUNT(*) FROM messages WHERE base = 1") == 1);  // the copy's head
  auto stored = run_mailferry(in({"archive", "get", "2"}));
  CHECK(stored.out == "Delivered-To: carol@example.org\r\nTo: carol@example.org\r\n" + head + body);

  REQUIRE(run_mailferry(in({"archive", "hold", "add", "--case", "carol", "--query", "to:carol@example.org"})).exit_code == 0);
  auto killed = run_mailferry(in({"archive", "purge"}), {"MAILFERRY_CRASH_AT=compaction-committed"});
  CHECK(killed.exit_code == 128 + 9);
  auto purged = run_json(in({"archive", "purge"}), report);
  CHECK(purged["purged"] == 0);  // the first run's tombstone stands; its compaction was finished
  CHECK(state_number(dir + "/archive.db", "SELECT COUNT(*) FROM messages WHERE purged IS NOT NULL") == 1);
  CHECK(state_number(dir + "/archive.db", "SELECT base FROM messages WHERE seq = 2") == 0);
  auto copy = run_mailferry(in({"archive", "get", "2"}));
  CHECK(copy.exit_code == 0);
  CHECK(copy.out == stored.out);
  auto verify = run_mailferry(in({"archive", "verify"}));
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
  REQUIRE(run_mailferry(in({"archive", "rebuild"})).exit_code == 0);
  CHECK(run_mailferry(in({"archive", "verify"})).exit_code == 0);
  CHECK(run_mailferry(in({"archive", "get", "2"})).out == stored.out);
}

// Two messages of one batch with the same head and other bodies share the
// head's frame; purging one must leave the frame to the other.
TEST_CASE("archive_purge_keeps_a_head_frame_another_message_shares", "[integration][archive][retention]") {
  TempDir scratch;
  const std::string& work = scratch.path;
  std::string eml = work + "/eml", dir = work + "/archive";
  fs::create_directories(eml + "/keep");
  std::string head = "From: robot@old.example\r\nSubject: Daily report\r\nDate: Tue, 4 Mar 2003 10:00:00 +0000\r\n";
  REQUIRE(write_file_atomically(eml + "/a.eml", head + "\r\nNothing to report.\r\n"));
  REQUIRE(write_file_atomically(eml + "/b.eml", head + "\r\nOne incident.\r\n"));
  REQUIRE(write_file_atomically(eml + "/keep/b.eml", head + "\r\nOne incident.\r\n"));
  for (const char* name : {"/a.eml", "/b.eml", "/keep/b.eml"})
    fs::last_write_time(eml + name, fs::file_time_type::clock::now() - std::chrono::hours(24 * 365 * 20));
  auto in = [&](std::vector<std::string> args) { return with_args(std::move(args), {"--archive", dir}); };
  REQUIRE(run_mailferry(in({"archive", "import", "eml:" + eml, "-q"})).exit_code == 0);
  CHECK(state_number(dir + "/archive.db", "SELECT COUNT(DISTINCT offset) FROM messages") == 1);  // one head frame
  REQUIRE(run_mailferry(in({"archive", "hold", "add", "--case", "keep", "--folder", "keep"})).exit_code == 0);
  auto purged = run_json(in({"archive", "purge"}), work + "/report.json");
  CHECK(purged["purged"] == 1);
  auto kept = run_mailferry(in({"archive", "get", "2"}));
  CHECK(kept.exit_code == 0);
  CHECK(kept.out == head + "\r\nOne incident.\r\n");
  auto verify = run_mailferry(in({"archive", "verify"}));
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
}
