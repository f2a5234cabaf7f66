// mailferry archive: import from Maildir and IMAP (deduplicated across
// them), get, stats, crash recovery, and verify catching each kind of
// tampering.
#include "tests/integration/harness.h"

#include "core/atomic_file.h"
#include "core/file_lock.h"
#include "core/sqlite.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include <unistd.h>
#include <zlib.h>

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::test;
using nlohmann::json;
namespace fs = std::filesystem;


TEST_CASE("archive_import_reconciles_dedups_and_serves_messages_back", "[integration][archive]") {
  TwoServers servers(20);
  std::string dir = servers.dir() + "/archive";
  std::string maildir = "maildir:" + servers.source().maildir("alice");
  std::string report = servers.dir() + "/import.json";
  auto first = run_json({"archive", "import", "--archive", dir, maildir, "-q"}, report);
  std::uint64_t n = servers.filled().messages;
  CHECK(first["seen"] == n);
  CHECK(first["archived"].get<std::uint64_t>() + first["deduplicated"].get<std::uint64_t>() == n);
  CHECK(first["deduplicated"] == 1);  // the two byte-identical edge cases: one message, two placements
  CHECK(first["rejected"] == 0);

  auto again = run_json({"archive", "import", "--archive", dir, maildir, "-q"}, report);
  CHECK(again["seen"] == n);
  CHECK(again["already_present"] == n);

  // The same mail over IMAP is another account's placement of the same messages.
  auto imap = run_json({"archive", "import", "--archive", dir, servers.source().url("alice", false),
                        "--from-password-file", servers.dir() + "/password", "--no-starttls", "-q"},
                       report);
  CHECK(imap["seen"] == n);
  CHECK(imap["archived"] == 0);
  CHECK(imap["deduplicated"] == n);

  auto stats = run_json({"archive", "stats", "--archive", dir}, servers.dir() + "/stats.json");
  CHECK(stats["messages"] == n - 1);
  CHECK(stats["placements"] == 2 * n);
  CHECK(stats["accounts"].size() == 2);
  CHECK(stats["stored_bytes"].get<std::uint64_t>() < stats["raw_bytes"].get<std::uint64_t>() / 2);

  // get: by number and by Message-ID, the bytes the source has.
  auto out = servers.dir() + "/m1.eml";
  auto got = run_mailferry({"archive", "get", "--archive", dir, "1", "--out", out});
  INFO(got.err);
  REQUIRE(got.exit_code == 0);
  std::string first_message = read_text(out);
  CHECK(first_message.find("Message-ID") != std::string::npos);
  auto db = sql::Database::open(dir + "/archive.db");
  REQUIRE(db);
  auto q = db->prepare("SELECT message_id FROM messages WHERE seq = 1");
  REQUIRE(q);
  REQUIRE(q->step().value());
  auto by_id = run_mailferry({"archive", "get", "--archive", dir, "--message-id", q->column_text(0)});
  CHECK(by_id.exit_code == 0);
  CHECK(by_id.out == first_message);
  CHECK(run_mailferry({"archive", "get", "--archive", dir, "99999"}).exit_code == 1);

  auto verify = run_mailferry({"archive", "verify", "--archive", dir});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
  // Every command left its audit event in the chain.
  auto fresh = sql::Database::open(dir + "/archive.db");  // the handle above still reads its old snapshot
  REQUIRE(fresh);
  auto audits = fresh->prepare("SELECT COUNT(*) FROM events WHERE type = 'audit'");
  REQUIRE(audits);
  REQUIRE(audits->step().value());
  CHECK(audits->column_int(0) >= 7);
}

TEST_CASE("archive_verify_names_each_kind_of_tampering", "[integration][archive]") {
  TwoServers servers(5);
  std::string dir = imported_archive(servers);
  REQUIRE(run_mailferry({"archive", "verify", "--archive", dir}).exit_code == 0);
  std::string pristine = servers.dir() + "/pristine";
  fs::copy(dir, pristine, fs::copy_options::recursive);
  std::string segment = dir + "/segments/00000001.seg";
  auto restore = [&] {
    fs::remove_all(dir);
    fs::copy(pristine, dir, fs::copy_options::recursive);
  };
  std::string expected;
  SECTION("one flipped bit in a segment") {
    std::fstream f(segment, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(64 + 20);  // inside the first message's compressed bytes
    char c = 0;
    f.read(&c, 1);
    c ^= 0x10;
    f.seekp(64 + 20);
    f.write(&c, 1);
    expected = "segment 00000001 offset 0";
  }
  SECTION("a frame header claiming an absurd size, its checksum made to match") {
    std::fstream f(segment, std::ios::in | std::ios::out | std::ios::binary);
    std::string header(64, '\0');
    f.read(header.data(), 64);
    for (int i = 16; i < 23; ++i) header[i] = 0;
    header[23] = 0x40;  // content size 2^62 (little-endian u64 at 16)
    auto crc = static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(header.data()), 60));
    for (int i = 0; i < 4; ++i) header[60 + i] = static_cast<char>(crc >> (8 * i));
    f.seekp(0);
    f.write(header.data(), 64);
    expected = "segment 00000001 offset 0: frame header claims 4611686018427387904 bytes, more than a frame may hold";
  }
  SECTION("a changed catalog row") {
    run_sql(dir + "/archive.db", "UPDATE messages SET sha256 = X'" + std::string(64, 'a') + "' WHERE seq = 3");
    expected = "message 3";
  }
  SECTION("a deleted catalog row") {
    run_sql(dir + "/archive.db", "DELETE FROM placements WHERE message = 2; DELETE FROM messages WHERE seq = 2");
    expected = "message frame the catalog does not list";
  }
  SECTION("two chain entries swapped in the catalog") {
    run_sql(dir + "/archive.db",
        "UPDATE events SET seq = -1 WHERE seq = 1; UPDATE events SET seq = 1 WHERE seq = 2; "
        "UPDATE events SET seq = 2 WHERE seq = -1");
    expected = "event 1";
  }
  SECTION("a deleted segment") {
    fs::remove(segment);
    expected = "segment file missing";
  }
  auto verify = run_mailferry({"archive", "verify", "--archive", dir});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 1);
  CHECK(verify.out.find(expected) != std::string::npos);
  CHECK(verify.out.find("FAULTS") != std::string::npos);
  restore();
  CHECK(run_mailferry({"archive", "verify", "--archive", dir}).exit_code == 0);
}

TEST_CASE("archive_import_killed_at_any_moment_loses_nothing_acknowledged", "[integration][archive][resume]") {
  TwoServers servers(60);
  std::string dir = servers.dir() + "/archive";
  std::vector<std::string> args = {"archive", "import", "--archive", dir, "maildir:" + servers.source().maildir("alice"),
                                   "-q", "--batch-mb", "1"};
  // Killed after a batch's frames were written, and after they were synced
  // but before the catalog knew them: the next open recovers or cuts them.
  for (const char* point : {"archive-written:2", "archive-synced:3"}) {
    auto killed = run_mailferry(args, {std::string("MAILFERRY_CRASH_AT=") + point});
    CHECK(killed.exit_code == 128 + 9);
  }
  std::mt19937 rng(Catch::rngSeed());
  for (int i = 0; i < 4; ++i) run_mailferry_killed(args, std::uniform_int_distribution<int>(20, 300)(rng));
  std::string report = servers.dir() + "/import.json";
  auto last = run_json(args, report);
  CHECK(last["seen"] == servers.filled().messages);
  auto stats = run_json({"archive", "stats", "--archive", dir}, servers.dir() + "/stats.json");
  CHECK(stats["messages"] == servers.filled().messages - 1);
  CHECK(stats["placements"] == servers.filled().messages);
  auto verify = run_mailferry({"archive", "verify", "--archive", dir});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
  // A dictionary was trained from the first full batch, and compresses what follows.
  auto db = sql::Database::open(dir + "/archive.db");
  REQUIRE(db);
  auto dicts = db->prepare("SELECT COUNT(*) FROM dictionaries");
  REQUIRE(dicts);
  REQUIRE(dicts->step().value());
  CHECK(dicts->column_int(0) == 1);
}

TEST_CASE("migrate_with_archive_stores_every_copied_message_even_across_a_crash", "[integration][archive]") {
  TwoServers servers(30);
  std::string dir = servers.dir() + "/archive";
  auto args = with_args(servers.migrate_args(), {"--archive", dir, "--batch-mb", "1"});
  // Killed after the target took a batch, before the state knew; and while
  // the archive was storing a batch the target may already hold: the resume
  // archives what the archive lacks of what it finds on the target.
  std::string point = GENERATE("appended:2", "archive-written:2");
  // The archive made slow: the target surely has batch 2 when "appended" kills.
  auto crashed = run_mailferry(args, {"MAILFERRY_CRASH_AT=" + point, "MAILFERRY_DELAY_AT=archive:700"});
  REQUIRE(crashed.exit_code == 128 + 9);
  std::string report = servers.dir() + "/migrate.json";
  auto run = run_json(args, report);
  CHECK(run["archive"]["rejected"] == 0);
  auto stats = run_json({"archive", "stats", "--archive", dir}, servers.dir() + "/stats.json");
  CHECK(stats["messages"] == servers.filled().messages - 1);  // the two identical edge cases are one message
  CHECK(stats["placements"] == servers.filled().messages);
  CHECK(messages_on(servers.target()) == servers.filled().messages);
  // The edge cases (a 20,000-byte line of one letter among them) come first
  // and must not spoil the dictionary the rest is compressed with.
  CHECK(stats["ratio"].get<double>() < 0.36);
  auto verify = run_mailferry({"archive", "verify", "--archive", dir});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
  // A no-change pass reads nothing, so it archives nothing.
  auto again = run_json(args, report);
  CHECK(again["archive"]["seen"] == 0);
}

TEST_CASE("archive_rebuild_recreates_the_catalog_from_the_segments_alone", "[integration][archive]") {
  TwoServers servers(10);
  std::string dir = imported_archive(servers);
  auto before = run_json({"archive", "stats", "--archive", dir}, servers.dir() + "/before.json");
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(dir + "/archive.db" + suffix);
  CHECK(run_mailferry({"archive", "stats", "--archive", dir}).exit_code == 5);  // no catalog, no archive
  auto rebuilt = run_mailferry({"archive", "rebuild", "--archive", dir});
  INFO(rebuilt.out << rebuilt.err);
  REQUIRE(rebuilt.exit_code == 0);
  auto after = run_json({"archive", "stats", "--archive", dir}, servers.dir() + "/after.json");
  CHECK(after["messages"] == before["messages"]);
  CHECK(after["placements"] == before["placements"]);
  CHECK(after["raw_bytes"] == before["raw_bytes"]);
  auto verify = run_mailferry({"archive", "verify", "--archive", dir});
  INFO(verify.out);
  CHECK(verify.exit_code == 0);
  // The audit trail survived (it is in the segments) and lists who did what.
  auto audit = run_mailferry({"archive", "audit", "--archive", dir});
  INFO(audit.out);
  CHECK(audit.exit_code == 0);
  CHECK(audit.out.find(" import ") != std::string::npos);
  CHECK(audit.out.find(" stats ") != std::string::npos);
  CHECK(audit.out.find(" rebuild ") != std::string::npos);

  // One writer's batch at a time: while another holds the writer's lock
  // longer than a command waits, every command (each writes its audit
  // event) and rebuild refuse, naming the holder.
  {
    auto held = FileLock::take(dir + "/archive.lock", "the archive");
    REQUIRE(held.has_value());
    std::string holder = "in use by mailferry pid " + std::to_string(::getpid());
    for (std::vector<std::string> args : {std::vector<std::string>{"archive", "stats", "--archive", dir},
                                          {"archive", "rebuild", "--archive", dir},
                                          {"archive", "import", "--archive", dir, "maildir:" + servers.source().maildir("alice")}}) {
      auto refused = run_mailferry(args, {"MAILFERRY_ARCHIVE_LOCK_WAIT=1"});
      INFO(args[1] << ": " << refused.err);
      CHECK(refused.exit_code != 0);
      CHECK(refused.err.find(holder) != std::string::npos);
    }
  }
  CHECK(run_mailferry({"archive", "stats", "--archive", dir}).exit_code == 0);
}

TEST_CASE("a_signed_checkpoint_pins_the_history", "[integration][archive]") {
  TwoServers servers(3);
  std::string dir = imported_archive(servers);
  auto [key, pub] = make_keys(servers.dir(), "key");
  std::string cp = servers.dir() + "/checkpoint.json";
  auto taken = run_mailferry({"archive", "checkpoint", "--archive", dir, "--out", cp, "--key", key});
  INFO(taken.out << taken.err);
  REQUIRE(taken.exit_code == 0);
  // More mail later does not disturb an older checkpoint.
  REQUIRE(run_mailferry({"archive", "import", "--archive", dir, servers.source().url("alice", false),
                         "--from-password-file", servers.dir() + "/password", "--no-starttls", "-q"})
              .exit_code == 0);
  auto ok = run_mailferry({"archive", "verify", "--archive", dir, "--checkpoint", cp, "--public-key", pub});
  INFO(ok.out << ok.err);
  CHECK(ok.exit_code == 0);

  auto j = json::parse(read_text(cp));
  SECTION("a checkpoint whose hash the archive does not have") {
    j["hash"] = std::string(64, '0');
    REQUIRE(write_file_atomically(cp, j.dump()));
    auto bad = run_mailferry({"archive", "verify", "--archive", dir, "--checkpoint", cp});
    INFO(bad.out);
    CHECK(bad.exit_code == 1);
    CHECK(bad.out.find("history was rewritten") != std::string::npos);
    CHECK(bad.out.find("signature") != std::string::npos);  // and the signature no longer fits
  }
  SECTION("a checkpoint signed by another key") {
    std::string other = servers.dir() + "/other.pem";
    REQUIRE(std::system(("openssl genpkey -algorithm ed25519 -out " + other + " 2>/dev/null").c_str()) == 0);
    REQUIRE(run_mailferry({"archive", "checkpoint", "--archive", dir, "--out", cp, "--key", other}).exit_code == 0);
    auto bad = run_mailferry({"archive", "verify", "--archive", dir, "--checkpoint", cp, "--public-key", pub});
    CHECK(bad.exit_code == 1);
    CHECK(bad.out.find("signature does not match") != std::string::npos);
  }
}
