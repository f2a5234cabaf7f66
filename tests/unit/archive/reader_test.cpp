// The archive as a follower reads it (search's indexer): the chain's events
// in order with what each stored, placed and removed; heads without bodies.
#include "archive/archive.h"
#include "tests/support/temp_dir.h"

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::archive;

TEST_CASE("a follower reads each event once, in order, with what it stored and placed", "[archive]") {
  test::TempDir tmp;
  auto opened = Archive::open(tmp.path + "/archive", "tester", true);
  REQUIRE(opened);
  Archive& a = **opened;
  std::string m1 = "Subject: one\r\nMessage-ID: <1@x>\r\n\r\nfirst body\r\n";
  std::string m2 = "Subject: two\r\nMessage-ID: <2@x>\r\n\r\nsecond body\r\n";
  REQUIRE(a.ingest({{m1, {"alice", "INBOX", {"\\Seen"}, 1000, "test", 0}, {}},
                    {m2, {"alice", "INBOX", {}, 1001, "test", 0}, {}}}));
  REQUIRE(a.ingest({{m1, {"alice", "Archiv/2024", {"$Label1"}, 1000, "test", 0}, {}}}));  // a second placement only
  REQUIRE(a.audit("test", R"({"note": "x"})"));

  Reader& reader = a;
  auto all = reader.events_since(0, 100);
  REQUIRE(all);
  std::vector<std::string> types;
  for (const auto& e : *all) types.push_back(e.type);
  CHECK(types == std::vector<std::string>{"ingest", "ingest", "audit"});  // two mails train no dictionary
  const ChainEvent* first = nullptr;
  for (const auto& e : *all)
    if (e.type == "ingest" && !first) first = &e;
  REQUIRE(first);
  CHECK(first->archived == std::vector<std::int64_t>{1, 2});
  REQUIRE(first->placed.size() == 2);
  CHECK(first->placed[0].folder == "INBOX");
  CHECK(first->placed[0].flags == std::vector<std::string>{"\\Seen"});
  const auto& second = (*all)[1];
  CHECK(second.archived.empty());  // m1 was there: only placed again
  REQUIRE(second.placed.size() == 1);
  CHECK(second.placed[0].message == 1);
  CHECK(second.placed[0].folder == "Archiv/2024");

  auto rest = reader.events_since(second.seq, 1);  // where a follower left off
  REQUIRE(rest);
  REQUIRE(rest->size() == 1);
  CHECK(rest->front().type == "audit");
  auto none = reader.events_since(rest->front().seq, 10);
  REQUIRE(none);
  CHECK(none->empty());

  auto last = reader.last_change();
  REQUIRE(last);
  CHECK(*last == second.seq);  // the audit event after it changes no message

  auto head = reader.head(2);
  REQUIRE(head);
  CHECK(*head == "Subject: two\r\nMessage-ID: <2@x>\r\n\r\n");
  CHECK(*reader.get(2) == m2);
}
