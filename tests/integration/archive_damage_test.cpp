// A damaged archive: a catalog that is wrong about the segments, a damaged
// frame in the middle of a segment, a catalog SQLite finds malformed. The
// segments are the record: no command may shorten one because of what the
// catalog says, rebuild keeps every intact frame, and verify names each fault.
#include "tests/integration/harness.h"

#include "core/atomic_file.h"
#include "core/sha256.h"
#include "core/sqlite.h"

#include <filesystem>
#include <fstream>

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::test;
namespace fs = std::filesystem;

namespace {

struct ImportedArchive {
  TwoServers servers{10};
  std::string dir = imported_archive(servers);
  std::string segment = dir + "/segments/00000001.seg";

  std::string segment_digest() const { return to_hex(sha256(read_text(segment))); }
  std::string meta(const std::string& key) const {
    auto db = sql::Database::open(dir + "/archive.db");
    REQUIRE(db);
    auto q = db->prepare("SELECT value FROM meta WHERE key = ?1");
    REQUIRE(q);
    q->bind(1, key);
    REQUIRE(q->step().value());
    return q->column_text(0);
  }
};

// The offset of a message frame near the middle of a segment file.
std::uint64_t middle_message_frame(const std::string& bytes) {
  for (auto at = bytes.find("MFRM", bytes.size() / 2); at != std::string::npos; at = bytes.find("MFRM", at + 1))
    if (bytes[at + 5] == 1) return at;  // kind 1: a message head
  FAIL("no message frame in the second half of the segment");
  return 0;
}

}  // namespace

TEST_CASE("no_archive_command_cuts_a_segment_because_the_catalog_says_so", "[integration][archive][damage]") {
  ImportedArchive a;
  const std::string digest = a.segment_digest();
  const std::string committed = a.meta("committed_size");
  for (std::string wrong : {"0", "12abc", "12", "-5"}) {
    INFO("committed_size = " << wrong);
    run_sql(a.dir + "/archive.db", "UPDATE meta SET value = '" + wrong + "' WHERE key = 'committed_size'");
    auto verify = run_mailferry({"archive", "verify", "--archive", a.dir});
    INFO(verify.out << verify.err);
    CHECK(verify.exit_code == 1);
    CHECK((verify.out + verify.err).find("committed") != std::string::npos);
    for (std::vector<std::string> command : {std::vector<std::string>{"archive", "stats", "--archive", a.dir},
                                               {"archive", "audit", "--archive", a.dir},
                                               {"archive", "get", "1", "--archive", a.dir, "--out", a.dir + "/../1.eml"},
                                               {"archive", "import", "--archive", a.dir,
                                                "maildir:" + a.servers.source().maildir("alice"), "-q"}})
      (void)run_mailferry(command);
    CHECK(a.segment_digest() == digest);  // not one byte cut, none added
  }
  run_sql(a.dir + "/archive.db", "UPDATE meta SET value = '" + committed + "' WHERE key = 'committed_size'");
  auto verify = run_mailferry({"archive", "verify", "--archive", a.dir});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
  const std::string audited = a.segment_digest();  // verify's audit event came after

  // A segment number that is not one is named too, not "internal error: stoul".
  run_sql(a.dir + "/archive.db", "UPDATE meta SET value = 'one' WHERE key = 'active_segment'");
  auto named = run_mailferry({"archive", "verify", "--archive", a.dir});
  INFO(named.out << named.err);
  CHECK(named.exit_code == 1);
  CHECK((named.out + named.err).find("active_segment") != std::string::npos);
  CHECK((named.out + named.err).find("internal error") == std::string::npos);
  CHECK(a.segment_digest() == audited);
}

TEST_CASE("archive_rebuild_skips_a_damaged_frame_and_keeps_every_intact_one", "[integration][archive][damage]") {
  ImportedArchive a;
  auto before = run_json({"archive", "stats", "--archive", a.dir}, a.dir + "/../before.json");
  std::string bytes = read_text(a.segment);
  std::uint64_t at = middle_message_frame(bytes);
  {
    std::fstream f(a.segment, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(at + 8));
    f.write("\xde\xad\xbe\xef\xde\xad\xbe\xef\xde\xad\xbe\xef\xde\xad", 14);  // its sizes and a hash
  }
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(a.dir + "/archive.db" + suffix);
  auto rebuilt = run_mailferry({"archive", "rebuild", "--archive", a.dir});
  INFO(rebuilt.out << rebuilt.err);
  CHECK(rebuilt.exit_code == 1);
  CHECK(rebuilt.out.find("damaged: segment 00000001 offset " + std::to_string(at)) != std::string::npos);
  CHECK(rebuilt.out.find("INCOMPLETE") != std::string::npos);
  auto after = run_json({"archive", "stats", "--archive", a.dir}, a.dir + "/../after.json");
  CHECK(after["messages"] == before["messages"]);  // every event, so every message, is still known
  CHECK(after["placements"] == before["placements"]);
  // The one message whose head was damaged is named; every other one is still there.
  auto verify = run_mailferry({"archive", "verify", "--archive", a.dir});
  INFO(verify.out);
  CHECK(verify.exit_code == 1);
  CHECK(verify.out.find("segment 00000001 offset " + std::to_string(at)) != std::string::npos);
  CHECK(verify.out.find("has no frame") != std::string::npos);
  std::int64_t last = before["messages"].get<std::int64_t>();
  auto got = run_mailferry({"archive", "get", std::to_string(last), "--archive", a.dir, "--out", a.dir + "/../last.eml"});
  INFO(got.err);
  CHECK(got.exit_code == 0);
}

TEST_CASE("archive_verify_finds_a_catalog_sqlite_calls_malformed", "[integration][archive][damage]") {
  ImportedArchive a;
  std::string db = a.dir + "/archive.db";
  run_sql(db, "PRAGMA wal_checkpoint(TRUNCATE)");
  std::int64_t page = 0, page_size = 0;
  {
    auto d = sql::Database::open(db);
    REQUIRE(d);
    auto q = d->prepare("SELECT rootpage FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages' LIMIT 1");
    REQUIRE(q);
    REQUIRE(q->step().value());
    page = q->column_int(0);
    auto s = d->prepare("PRAGMA page_size");
    REQUIRE(s);
    REQUIRE(s->step().value());
    page_size = s->column_int(0);
  }
  {
    std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>((page - 1) * page_size + 8));
    std::string garbage(200, '\x5a');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  auto verify = run_mailferry({"archive", "verify", "--archive", a.dir});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 1);
  CHECK(verify.out.find("SQLite finds it damaged") != std::string::npos);
}
