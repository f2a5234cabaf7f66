// An auditor (GoBD Z1/Z2) given a read-only copy of the archive, as a user
// who cannot write it: search, get, export, verify, stats, audit, checkpoint,
// hold list and policy show all work, the copy is not changed by one byte,
// every read is in the auditor's own audit log, and a command that would
// write is refused, clearly.
#include "core/sha256.h"
#include "tests/integration/harness.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr uid_t kNobody = 65534;

// Every file of a tree and its SHA-256: the same before and after means nothing changed, nothing was added.
std::string fingerprint(const std::string& dir) {
  std::string all;
  std::vector<std::string> names;
  for (const auto& e : fs::recursive_directory_iterator(dir)) names.push_back(fs::relative(e.path(), dir).string());
  std::sort(names.begin(), names.end());
  for (const auto& n : names)
    all += n + " " + (fs::is_regular_file(dir + "/" + n) ? to_hex(sha256(read_text(dir + "/" + n))) : "dir") + "\n";
  return all;
}

}  // namespace

TEST_CASE("an_auditor_reads_a_read_only_copy_without_changing_it_and_every_read_is_logged", "[integration][archive]") {
  TwoServers servers(10);
  std::string dir = imported_archive(servers);
  std::string copy = servers.dir() + "/copy";
  REQUIRE(std::system(("cp -a " + dir + " " + copy + " && chmod -R a-w " + copy).c_str()) == 0);
  std::string home = servers.dir() + "/auditor";
  fs::create_directories(home);
  REQUIRE(::chown(home.c_str(), kNobody, kNobody) == 0);
  std::string log = home + "/audit.jsonl";
  std::vector<std::string> env = {"MAILFERRY_AUDIT_LOG=" + log, "HOME=" + home};
  std::string before = fingerprint(copy);

  auto as_auditor = [&](std::vector<std::string> args) {
    auto r = run_mailferry_as(kNobody, home, args, env);
    INFO(args[0] << " " << args[1] << ": " << r.out << r.err);
    CHECK(r.exit_code == 0);
    return r;
  };
  auto stats = as_auditor({"archive", "stats", "--archive", copy});
  CHECK(stats.err.find("opened for reading only") != std::string::npos);
  CHECK(as_auditor({"archive", "verify", "--archive", copy}).out.find("archive verify: OK") != std::string::npos);
  auto found = as_auditor({"search", "--archive", copy, "--output", "numbers", "--limit", "1000"});
  std::string first = found.out.substr(0, found.out.find('\n'));
  REQUIRE_FALSE(first.empty());
  CHECK(as_auditor({"archive", "get", "--archive", copy, first}).out ==
        run_mailferry({"archive", "get", "--archive", dir, first}).out);
  as_auditor({"archive", "export", "--archive", copy, "--out", home + "/case.zip", "--case", "Z2"});
  CHECK(as_auditor({"archive", "verify-export", home + "/case.zip"}).out.find("OK: ") != std::string::npos);
  as_auditor({"archive", "checkpoint", "--archive", copy, "--out", home + "/cp.json"});
  as_auditor({"archive", "audit", "--archive", copy});
  as_auditor({"archive", "hold", "list", "--archive", copy});
  as_auditor({"archive", "policy", "show", "--archive", copy});
  // The checkpoint of the copy holds for the original.
  CHECK(run_mailferry({"archive", "verify", "--archive", dir, "--checkpoint", home + "/cp.json"}).exit_code == 0);

  // A command that writes is refused, and says why.
  auto hold = run_mailferry_as(kNobody, home, {"archive", "hold", "add", "--archive", copy, "--case", "x", "--folder", "*"},
                               env);
  CHECK(hold.exit_code != 0);
  CHECK(hold.err.find("is read-only to nobody, and this command changes it") != std::string::npos);

  CHECK(fingerprint(copy) == before);
  // Every read, by whom, of which archive at which event; verify-export reads no archive.
  std::vector<std::string> commands;
  std::istringstream lines(read_text(log));
  for (std::string line; std::getline(lines, line);) {
    auto e = json::parse(line);
    CHECK(e["user"] == "nobody");
    CHECK(e["archive"] == fs::absolute(copy).string());
    CHECK(e["archive_event"]["seq"].get<std::int64_t>() > 0);
    commands.push_back(e["command"]);
  }
  CHECK(commands == std::vector<std::string>{"stats", "verify", "search", "get", "export", "checkpoint", "audit",
                                             "hold list", "policy show"});
}
