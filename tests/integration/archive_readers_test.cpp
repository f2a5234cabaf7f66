// Many processes on one archive: `archive get` and `archive stats` run
// while a `migrate --archive` writes into the same archive, and the chain
// they all wrote to (the migration's batches, their audit events) verifies.
#include "tests/integration/harness.h"

#include "core/sqlite.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::test;
namespace fs = std::filesystem;

TEST_CASE("archive_get_and_stats_run_while_a_migration_archives", "[integration][archive]") {
  TwoServers servers(10);
  std::string dir = servers.dir() + "/archive";
  std::atomic<bool> migrated{false};
  RunResult migration;
  // Every batch waits 1.5 s before it is archived: the run lasts several seconds.
  std::thread writer([&] {
    migration = run_mailferry(with_args(servers.migrate_args(), {"--archive", dir, "-q"}),
                              {"MAILFERRY_DELAY_AT=archive:1500"});
    migrated = true;
  });
  struct Join {  // a failed REQUIRE below must not leave the thread running
    std::thread& t;
    ~Join() {
      if (t.joinable()) t.join();
    }
  } join{writer};

  // Once the first batch is in, read while the run goes on.
  auto archived = [&]() -> std::int64_t {  // 0 also while the catalog is still being made
    if (!fs::exists(dir + "/archive.db")) return 0;
    auto db = sql::Database::open_read_only(dir + "/archive.db");
    auto count = db ? db->prepare("SELECT COUNT(*) FROM messages") : Result<sql::Statement>(db.error());
    if (!count) return 0;
    auto row = count->step();
    return row && *row ? count->column_int(0) : 0;
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!migrated && std::chrono::steady_clock::now() < deadline && archived() == 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE_FALSE(migrated);
  auto stats = run_mailferry({"archive", "stats", "--archive", dir});
  INFO(stats.out << stats.err);
  CHECK(stats.exit_code == 0);
  CHECK(stats.out.find("messages") != std::string::npos);
  auto got = run_mailferry({"archive", "get", "--archive", dir, "1"});
  INFO(got.err);
  CHECK(got.exit_code == 0);
  CHECK(got.out.find("\r\n\r\n") != std::string::npos);  // a message: header, empty line, body
  CHECK_FALSE(migrated);  // both ran while the migration did

  writer.join();
  INFO(migration.out << migration.err);
  REQUIRE(migration.exit_code == 0);
  auto verify = run_mailferry({"archive", "verify", "--archive", dir});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
  auto audit = run_mailferry({"archive", "audit", "--archive", dir});
  CHECK(audit.out.find(" stats ") != std::string::npos);
  CHECK(audit.out.find(" get ") != std::string::npos);
  CHECK(audit.out.find(" migrate ") != std::string::npos);
}
