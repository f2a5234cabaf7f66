#include "core/sqlite.h"

#include "tests/result_printer.h"

#include <filesystem>
#include <unistd.h>

using namespace mf;

TEST_CASE("a failed statement is named by its database file, not by its SQL", "[core][sqlite]") {
  // A full disk at a state file's first INSERT printed the statement as where
  // it happened; the user needs the file.
  std::string path = std::filesystem::temp_directory_path() / ("mf-sqlite-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  {
    auto db = sql::Database::open(path);
    REQUIRE(db);
    REQUIRE(db->exec("CREATE TABLE t(x INTEGER PRIMARY KEY)"));
    for (int i = 0; i < 2; ++i) {
      auto insert = db->prepare("INSERT INTO t(x) VALUES (1)");
      REQUIRE(insert);
      auto ran = insert->run();
      if (i == 0) {
        REQUIRE(ran);
        continue;
      }
      REQUIRE_FALSE(ran);
      CHECK(ran.error().where == path);
      CHECK(ran.error().describe().find("INSERT") == std::string::npos);
    }
    auto bad = db->prepare("SELEKT 1");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().where == path);
  }
  auto read_only = sql::Database::open_read_only(path);
  REQUIRE(read_only);
  auto write = read_only->exec("INSERT INTO t(x) VALUES (2)");
  CHECK_FALSE(write);  // a read-only command cannot change the file
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
}

TEST_CASE("an empty text binds as the empty string and not as NULL", "[core][sqlite]") {
  // std::string_view() has a null data pointer, which sqlite3_bind_text takes for NULL:
  // a NOT NULL column refused it (the server's INBOX was never made).
  std::string path = std::filesystem::temp_directory_path() / ("mf-sqlite-empty-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  {
    auto db = sql::Database::open(path);
    REQUIRE(db);
    REQUIRE(db->exec("CREATE TABLE t(x TEXT NOT NULL)"));
    auto insert = db->prepare("INSERT INTO t(x) VALUES (?)");
    REQUIRE(insert);
    REQUIRE(insert->bind(1, std::string_view()).run());
    auto read = db->prepare("SELECT x IS NULL, length(x) FROM t");
    REQUIRE(read);
    REQUIRE(*read->step());
    CHECK(read->column_int(0) == 0);
    CHECK(read->column_int(1) == 0);
  }
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
}
