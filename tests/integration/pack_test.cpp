// mailferry archive seal: segments rewritten as packs (format 3). Every
// message comes back byte for byte, verify and rebuild read packs, a crash
// at each point of sealing leaves a whole archive, a damaged pack is named
// with the messages it loses, and a purge writes a pack's next generation.
#include "tests/integration/harness.h"

#include "core/atomic_file.h"
#include "core/sha256.h"
#include "core/sqlite.h"

#include <filesystem>
#include <fstream>
#include <map>

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::test;
namespace fs = std::filesystem;

namespace {

std::string meta(const std::string& dir, const std::string& key) {
  auto db = sql::Database::open_read_only(dir + "/archive.db");
  REQUIRE(db);
  auto q = db->prepare("SELECT value FROM meta WHERE key = ?1");
  REQUIRE(q);
  q->bind(1, key);
  REQUIRE(q->step().value());
  return q->column_text(0);
}

// Every message's bytes by number, as `archive get` gives them.
std::map<int, std::string> all_messages(const std::string& dir, int count) {
  std::map<int, std::string> out;
  for (int n = 1; n <= count; ++n) {
    std::string file = dir + "/../got.eml";
    auto got = run_mailferry({"archive", "get", std::to_string(n), "--archive", dir, "--out", file});
    INFO(got.err);
    REQUIRE(got.exit_code == 0);
    out[n] = read_text(file);
  }
  return out;
}

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir + "/segments")) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

void verifies(const std::string& dir) {
  auto verify = run_mailferry({"archive", "verify", "--archive", dir});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
}

}  // namespace

TEST_CASE("archive_seal_makes_packs_every_command_reads", "[integration][archive][pack]") {
  TwoServers servers{12};
  std::string dir = imported_archive(servers);
  std::string report = servers.dir() + "/report.json";
  auto before = run_json({"archive", "stats", "--archive", dir}, report);
  int messages = before["messages"];
  REQUIRE(messages > 20);
  auto originals = all_messages(dir, messages);
  CHECK(meta(dir, "format") == "2");  // what the previous release made and reads

  auto sealed = run_mailferry({"archive", "seal", "--archive", dir});
  INFO(sealed.out << sealed.err);
  REQUIRE(sealed.exit_code == 0);
  CHECK(sealed.out.find("sealed 1 segments into packs") != std::string::npos);
  CHECK(files_in(dir) == std::vector<std::string>{"00000001.pack", "00000002.seg"});
  CHECK(meta(dir, "format") == "3");
  CHECK(all_messages(dir, messages) == originals);
  verifies(dir);
  auto after = run_json({"archive", "stats", "--archive", dir}, report);
  CHECK(after["messages"] == messages);
  CHECK(after["stored_bytes"].get<std::uint64_t>() < before["stored_bytes"].get<std::uint64_t>());

  // More mail into the new segment, a second seal: a pack each, read alike.
  std::string eml = servers.dir() + "/eml";
  fs::create_directories(eml);
  for (int i = 0; i < 3; ++i)
    REQUIRE(write_file_atomically(eml + "/" + std::to_string(i) + ".eml",
                                  "From: a@example.org\r\nSubject: more " + std::to_string(i) + "\r\nMessage-ID: <more" +
                                      std::to_string(i) + "@example.org>\r\n\r\nbody " + std::to_string(i) + "\r\n"));
  auto more = run_mailferry({"archive", "import", "--archive", dir, "eml:" + eml, "-q"});
  REQUIRE(more.exit_code == 0);
  int total = run_json({"archive", "stats", "--archive", dir}, report)["messages"];
  REQUIRE(total > messages);
  auto everything = all_messages(dir, total);
  REQUIRE(run_mailferry({"archive", "seal", "--archive", dir}).exit_code == 0);
  CHECK(files_in(dir) == std::vector<std::string>{"00000001.pack", "00000002.pack", "00000003.seg"});
  CHECK(all_messages(dir, total) == everything);
  verifies(dir);
  // No mail left to seal: the active segment, holding only the audit events of the reads, stays.
  REQUIRE(run_mailferry({"archive", "seal", "--archive", dir}).exit_code == 0);
  CHECK(files_in(dir).size() == 3);

  // The search index, made from the events in the packs, finds them again.
  auto reindexed = run_mailferry({"archive", "reindex", "--archive", dir});
  INFO(reindexed.out << reindexed.err);
  CHECK(reindexed.exit_code == 0);
  auto found = run_mailferry({"search", "--archive", dir, "--output", "numbers", "*"});
  CHECK(found.exit_code == 0);

  // The packs alone make the catalog again.
  REQUIRE(run_mailferry({"archive", "rebuild", "--archive", dir}).exit_code == 0);
  verifies(dir);
  CHECK(run_json({"archive", "stats", "--archive", dir}, report)["messages"] == total);
  CHECK(all_messages(dir, total) == everything);
  // A new batch continues the chain after a rebuild that ended in a pack.
  REQUIRE(run_mailferry({"archive", "import", "--archive", dir, "maildir:" + servers.source().maildir("alice"), "-q"})
              .exit_code == 0);
  verifies(dir);
}

TEST_CASE("archive_seal_killed_at_each_point_leaves_a_whole_archive", "[integration][archive][pack]") {
  TwoServers servers{8};
  std::string dir = imported_archive(servers);
  std::string report = servers.dir() + "/report.json";
  int messages = run_json({"archive", "stats", "--archive", dir}, report)["messages"];
  auto originals = all_messages(dir, messages);
  for (const char* point : {"seal-written", "seal-committed"}) {
    INFO(point);
    auto killed = run_mailferry({"archive", "seal", "--archive", dir}, {std::string("MAILFERRY_CRASH_AT=") + point});
    CHECK(killed.exit_code == 128 + 9);
    verifies(dir);  // opens (tidying what the crash left), then checks everything
    CHECK(all_messages(dir, messages) == originals);
  }
  // Killed after the commit: the pack is the record, the segment is gone.
  auto names = files_in(dir);
  CHECK(std::count(names.begin(), names.end(), "00000001.pack") == 1);
  CHECK(std::count(names.begin(), names.end(), "00000001.seg") == 0);
  REQUIRE(run_mailferry({"archive", "seal", "--archive", dir}).exit_code == 0);
  verifies(dir);
}

TEST_CASE("archive_verify_names_the_pack_and_the_messages_a_flipped_bit_damages", "[integration][archive][pack]") {
  TwoServers servers{10};
  std::string dir = imported_archive(servers);
  REQUIRE(run_mailferry({"archive", "seal", "--archive", dir}).exit_code == 0);
  std::string pack = dir + "/segments/00000001.pack";
  auto size = fs::file_size(pack);
  fs::permissions(pack, fs::perms::owner_write, fs::perm_options::add);
  {
    std::fstream f(pack, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(size / 3));
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x10);
    f.seekp(static_cast<std::streamoff>(size / 3));
    f.write(&c, 1);
  }
  auto verify = run_mailferry({"archive", "verify", "--archive", dir});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 1);
  CHECK(verify.out.find("00000001.pack item ") != std::string::npos);
  CHECK(verify.out.find("cannot be read") != std::string::npos);
  CHECK(verify.out.find("of message") != std::string::npos);  // the messages it held, by number
}

TEST_CASE("archive_purge_over_a_pack_writes_its_next_generation", "[integration][archive][pack][retention]") {
  TwoServers servers{8};
  std::string dir = imported_archive(servers);
  std::string report = servers.dir() + "/report.json";
  // One recent message among the corpus of 2002, which every class lets go.
  std::string eml = servers.dir() + "/eml";
  fs::create_directories(eml);
  REQUIRE(write_file_atomically(eml + "/recent.eml", "From: a@example.org\r\nTo: b@example.org\r\nSubject: kept\r\n"
                                                     "Message-ID: <kept@example.org>\r\n\r\nstays\r\n"));
  REQUIRE(run_mailferry({"archive", "import", "--archive", dir, "eml:" + eml, "-q"}).exit_code == 0);
  REQUIRE(run_mailferry({"archive", "seal", "--archive", dir}).exit_code == 0);
  int messages = run_json({"archive", "stats", "--archive", dir}, report)["messages"];
  auto pack_size = fs::file_size(dir + "/segments/00000001.pack");

  auto killed = run_mailferry({"archive", "purge", "--archive", dir}, {"MAILFERRY_CRASH_AT=seal-committed"});
  CHECK(killed.exit_code == 128 + 9);
  verifies(dir);
  auto purged = run_json({"archive", "purge", "--archive", dir}, report);
  CHECK(purged["purged"] == 0);  // the tombstones of the killed run stand
  auto names = files_in(dir);
  CHECK(std::count(names.begin(), names.end(), "00000001.1.pack") == 1);
  CHECK(std::count(names.begin(), names.end(), "00000001.pack") == 0);
  CHECK(fs::file_size(dir + "/segments/00000001.1.pack") < pack_size / 2);
  auto stats = run_json({"archive", "stats", "--archive", dir}, report);
  CHECK(stats["messages"] == 1);
  CHECK(stats["purged"] == messages - 1);
  auto kept = run_mailferry({"archive", "get", "--archive", dir, "--message-id", "<kept@example.org>"});
  CHECK(kept.exit_code == 0);
  CHECK(kept.out.find("stays") != std::string::npos);
  verifies(dir);
  REQUIRE(run_mailferry({"archive", "rebuild", "--archive", dir}).exit_code == 0);
  verifies(dir);
  CHECK(run_json({"archive", "stats", "--archive", dir}, report)["purged"] == messages - 1);
}
