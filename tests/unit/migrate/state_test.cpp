#include "migrate/state.h"

#include "tests/result_printer.h"

#include <filesystem>
#include <unistd.h>

using namespace mf::migrate;

TEST_CASE("the state file remembers copied messages per folder and UIDVALIDITY", "[migrate][state]") {
  std::string path = std::filesystem::temp_directory_path() / ("mf-state-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  {
    auto state = StateStore::open(path);
    REQUIRE(state);
    auto folder = state->folder("a@h -> a@t", "INBOX", 42, "INBOX");
    REQUIRE(folder);
    CHECK_FALSE(folder->uidvalidity_changed);
    REQUIRE(state->record_copied(folder->id, {{1, "aa", 10, 5}, {2, "bb", 20, 0}}));
    CHECK(*state->copied_uids(folder->id) == std::set<std::uint32_t>{1, 2});
  }
  auto reopened = StateStore::open(path);
  REQUIRE(reopened);
  auto same = reopened->folder("a@h -> a@t", "INBOX", 42, "INBOX");
  REQUIRE(same);
  CHECK(reopened->copied_uids(same->id)->size() == 2);
  auto changed = reopened->folder("a@h -> a@t", "INBOX", 43, "INBOX");
  REQUIRE(changed);
  CHECK(changed->uidvalidity_changed);
  auto other = reopened->folder("b@h -> b@t", "INBOX", 42, "INBOX");
  CHECK(reopened->copied_uids(other->id)->empty());
  std::filesystem::remove(path);
}

TEST_CASE("a file that is not a state file is refused", "[migrate][state]") {
  std::string path = std::filesystem::temp_directory_path() / ("mf-notstate-" + std::to_string(::getpid()));
  { FILE* f = std::fopen(path.c_str(), "w"); std::fputs("not sqlite at all, just text", f); std::fclose(f); }
  auto state = StateStore::open(path);
  REQUIRE_FALSE(state);
  CHECK(state.error().code == mf::Errc::Corrupt);
  std::filesystem::remove(path);
}
