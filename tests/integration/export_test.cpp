// mailferry archive export and archive verify-export from the command line:
// the messages a query finds, byte for byte with a manifest and proofs,
// checked with nothing but the export; a changed byte anywhere, a forged
// message with recomputed sums and a wrong key are each found; an empty
// export is allowed and says so; the export is an audit event.
#include "core/atomic_file.h"
#include "core/sha256.h"
#include "tests/integration/harness.h"

#include <filesystem>
#include <sstream>

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

void flip_a_byte(const std::string& path, std::size_t at) {
  std::string bytes = read_text(path);
  REQUIRE(at < bytes.size());
  bytes[at] ^= 0x01;
  REQUIRE(write_file_atomically(path, bytes));
}

// SHA256SUMS made again over the files as they are now (what a forger without the key can do).
void recompute_sums(const std::string& dir) {
  std::string sums;
  for (const auto& n : files_under(dir))
    if (n != "SHA256SUMS") sums += to_hex(sha256(read_text(dir + "/" + n))) + "  " + n + "\n";
  REQUIRE(write_file_atomically(dir + "/SHA256SUMS", sums));
}

}  // namespace

TEST_CASE("an_export_verifies_offline_and_every_changed_byte_is_found", "[integration][export]") {
  TwoServers servers(20);
  std::string dir = imported_archive(servers);
  auto numbers = run_mailferry({"search", "--archive", dir, "--output", "numbers", "--limit", "1000"});
  REQUIRE(numbers.exit_code == 0);
  std::size_t all = static_cast<std::size_t>(std::count(numbers.out.begin(), numbers.out.end(), '\n'));
  REQUIRE(all > 5);
  KeyPair keys = make_keys(servers.dir(), "auditor");

  std::string out = servers.dir() + "/case.zip";
  auto exported = run_mailferry({"archive", "export", "--archive", dir, "--out", out, "--case", "Prüfung 2026",
                                 "--key", keys.key});
  INFO(exported.out << exported.err);
  REQUIRE(exported.exit_code == 0);
  CHECK(exported.out.find(std::to_string(all) + " messages") != std::string::npos);
  auto checked = run_mailferry({"archive", "verify-export", out, "--public-key", keys.pub});
  INFO(checked.out << checked.err);
  CHECK(checked.exit_code == 0);
  CHECK(checked.out.find("OK: " + std::to_string(all) + " messages") != std::string::npos);
  CHECK(checked.out.find("signed by") != std::string::npos);
  // The checkpoint it carries holds for the archive too, and the export is in the audit log.
  std::string unpacked = servers.dir() + "/unpacked";
  REQUIRE(std::system(("mkdir -p " + unpacked + " && cd " + unpacked + " && unzip -q " + out).c_str()) == 0);
  CHECK(run_mailferry({"archive", "verify", "--archive", dir, "--checkpoint", unpacked + "/checkpoint.json",
                       "--public-key", keys.pub})
            .exit_code == 0);
  CHECK(run_mailferry({"archive", "audit", "--archive", dir}).out.find(" export ") != std::string::npos);
  // By hand, as docs/formats/export.md says: the sums, their signature.
  CHECK(std::system(("cd " + unpacked + " && sha256sum --quiet -c SHA256SUMS && openssl pkeyutl -verify -pubin -inkey " +
                     keys.pub + " -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig >/dev/null")
                        .c_str()) == 0);
  // The whole check by hand of docs/formats/export.md, as written there, with the auditor's key.
  std::string doc = read_text(std::string(MF_SOURCE_DIR) + "/docs/formats/export.md");
  auto from = doc.find("```sh\n"), to = doc.find("```\n", from + 6);
  REQUIRE(to != std::string::npos);
  std::string script = doc.substr(doc.find('\n', from + 6) + 1, to - from);  // after its unzip line
  script = script.substr(0, script.rfind("```"));
  for (auto at = script.find("auditor.pub.pem"); at != std::string::npos;
       at = script.find("auditor.pub.pem", at + keys.pub.size()))
    script.replace(at, 15, keys.pub);
  REQUIRE(write_file_atomically(servers.dir() + "/handcheck.sh", "set -e\ncd " + unpacked + "\n" + script));
  int by_hand = std::system(("bash " + servers.dir() + "/handcheck.sh >" + servers.dir() + "/handcheck.out 2>&1").c_str());
  INFO(read_text(servers.dir() + "/handcheck.out"));
  CHECK(by_hand == 0);
  CHECK(read_text(servers.dir() + "/handcheck.out").find("is in the archive") != std::string::npos);
  // Each message is the archive's, byte for byte.
  auto manifest = json::parse(read_text(unpacked + "/manifest.json"));
  REQUIRE(manifest["messages"].size() == all);
  const auto& first = manifest["messages"][0];
  auto got = run_mailferry({"archive", "get", "--archive", dir, std::to_string(first["number"].get<std::int64_t>())});
  CHECK(got.out == read_text(unpacked + "/" + first["file"].get<std::string>()));

  SECTION("a flipped byte in the zip file") {
    flip_a_byte(out, fs::file_size(out) / 3);
    auto bad = run_mailferry({"archive", "verify-export", out, "--public-key", keys.pub});
    INFO(bad.out << bad.err);
    CHECK(bad.exit_code == 1);
  }
  SECTION("a flipped byte in a message or the manifest, unpacked") {
    std::string victim = GENERATE(std::string("message"), std::string("manifest.csv"), std::string("manifest.json"));
    std::string file = victim == "message" ? first["file"].get<std::string>() : victim;
    flip_a_byte(unpacked + "/" + file, read_text(unpacked + "/" + file).size() / 2);
    auto bad = run_mailferry({"archive", "verify-export", unpacked, "--public-key", keys.pub});
    INFO(bad.out << bad.err);
    CHECK(bad.exit_code == 1);
    CHECK(bad.out.find("FAULT " + file + ": SHA-256") != std::string::npos);
  }
  SECTION("another key than the auditor's") {
    KeyPair other = make_keys(servers.dir(), "other");
    auto bad = run_mailferry({"archive", "verify-export", out, "--public-key", other.pub});
    CHECK(bad.exit_code == 1);
    CHECK(bad.out.find("SHA256SUMS.sig: the signature does not match") != std::string::npos);
    CHECK(bad.out.find("checkpoint.json: signature") != std::string::npos);
  }
}

TEST_CASE("a_forged_message_with_recomputed_sums_fails_its_inclusion_proof", "[integration][export]") {
  TwoServers servers(6);
  std::string dir = imported_archive(servers);
  std::string out = servers.dir() + "/case";
  auto exported = run_mailferry({"archive", "export", "--archive", dir, "--out", out, "--format", "eml-dir"});
  INFO(exported.out << exported.err);
  REQUIRE(exported.exit_code == 0);
  REQUIRE(run_mailferry({"archive", "verify-export", out}).exit_code == 0);
  // Unsigned: whoever changes a message and makes the manifest and the sums
  // fit again is still caught by the proof, which the checkpoint's root fixes.
  auto manifest = json::parse(read_text(out + "/manifest.json"));
  auto& m = manifest["messages"][1];
  std::string path = out + "/" + m["file"].get<std::string>();
  std::string forged = read_text(path) + "P.S. forged\r\n";
  REQUIRE(write_file_atomically(path, forged));
  m["sha256"] = to_hex(sha256(forged));
  m["size"] = forged.size();
  REQUIRE(write_file_atomically(out + "/manifest.json", manifest.dump(2) + "\n"));
  recompute_sums(out);
  auto bad = run_mailferry({"archive", "verify-export", out});
  INFO(bad.out << bad.err);
  CHECK(bad.exit_code == 1);
  CHECK(bad.out.find("inclusion proof does not lead to the checkpoint's root") != std::string::npos);
}

TEST_CASE("a_message_file_larger_than_any_message_is_refused_without_reading_it_into_memory", "[integration][export]") {
  TwoServers servers(3);
  std::string dir = imported_archive(servers);
  std::string out = servers.dir() + "/case";
  REQUIRE(run_mailferry({"archive", "export", "--archive", dir, "--out", out, "--format", "eml-dir"}).exit_code == 0);
  auto manifest = json::parse(read_text(out + "/manifest.json"));
  std::string path = out + "/" + manifest["messages"][0]["file"].get<std::string>();
  // A hostile export: one "message" of 1.2 GB (sparse, so cheap to make),
  // checked by a verifier allowed 1 GB of address space.
  fs::resize_file(path, 1200ull << 20);
  auto bad = run_mailferry_in(1ull << 30, {"archive", "verify-export", out});
  INFO(bad.out << bad.err);
  CHECK(bad.exit_code == 1);
  CHECK(bad.out.find("larger than") != std::string::npos);
  CHECK(bad.out.find(": SHA-256 ") != std::string::npos);  // hashed in chunks all the same
}

TEST_CASE("an_mbox_export_and_an_empty_export_verify", "[integration][export]") {
  TwoServers servers(8);
  std::string dir = imported_archive(servers);
  std::string mbox = servers.dir() + "/mbox";
  REQUIRE(run_mailferry({"archive", "export", "--archive", dir, "--out", mbox, "--format", "mbox"}).exit_code == 0);
  auto ok = run_mailferry({"archive", "verify-export", mbox});
  INFO(ok.out << ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(read_text(mbox + "/messages.mbox").rfind("From MAILER-DAEMON ", 0) == 0);

  std::string empty = servers.dir() + "/empty.zip";
  auto none = run_mailferry({"archive", "export", "--archive", dir, "--out", empty, "subject:nosuchwordanywhere"});
  INFO(none.out << none.err);
  REQUIRE(none.exit_code == 0);
  CHECK(none.out.find("0 messages") != std::string::npos);
  auto checked = run_mailferry({"archive", "verify-export", empty});
  CHECK(checked.exit_code == 0);
  CHECK(checked.out.find("(an empty export)") != std::string::npos);
  // An export is never written over.
  auto again = run_mailferry({"archive", "export", "--archive", dir, "--out", empty});
  CHECK(again.exit_code != 0);
  CHECK(again.err.find("exists already") != std::string::npos);
  CHECK_FALSE(fs::exists(empty + ".partial"));
}
