// A power cut after the state file acknowledged a batch (pending, then
// copied): both records are there after the reboot. Fails when the state
// file's commits are not fsynced (PRAGMA synchronous=OFF, or an fsync
// taken out of the VFS).
#include "migrate/state.h"
#include "tests/support/power_loss.h"
#include "tests/support/temp_dir.h"

#include "tests/result_printer.h"

using namespace mf::migrate;

TEST_CASE("what the state file acknowledged is there after a power cut", "[migrate][state][power]") {
  mf::test::TempDir tmp;
  std::string path = tmp.path + "/state.db";
  {
    mf::test::PowerLoss power;
    {
      auto state = StateStore::open(path);
      REQUIRE(state);
      auto folder = state->folder("a@h -> a@t", "INBOX", 42, "INBOX");
      REQUIRE(folder);
      REQUIRE(state->record_pending(folder->id, {{1, "aa", 10, 1, 0, ""}, {2, "bb", 20, 1, 0, ""}, {3, "cc", 30, 1, 0, ""}}));
      REQUIRE(state->record_copied(folder->id, {{1, "aa", 10, 5}, {2, "bb", 20, 6}}));
      power.cut();  // uid 3 stays pending: its APPEND's answer never came
    }
    power.restore();
  }
  auto state = StateStore::open(path);
  REQUIRE(state);
  auto folder = state->folder("a@h -> a@t", "INBOX", 42, "INBOX");
  REQUIRE(folder);
  CHECK_FALSE(folder->uidvalidity_changed);
  CHECK(*state->copied_uids(folder->id) == std::set<std::uint32_t>{1, 2});
  auto pending = state->pending(folder->id);
  REQUIRE(pending);
  REQUIRE(pending->size() == 1);
  CHECK((*pending)[0].source_uid == 3);
}
