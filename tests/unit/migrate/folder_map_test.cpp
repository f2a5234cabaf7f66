#include "migrate/folder_map.h"

#include "tests/result_printer.h"

using namespace mf::migrate;

TEST_CASE("folders keep their hierarchy under the target's delimiter", "[migrate][folders]") {
  auto m = map_folder("Archive/2002", '/', '.');
  REQUIRE(m);
  CHECK(m->target == "Archive.2002");
  CHECK(m->display == "Archive/2002");
  CHECK_FALSE(m->renamed_part);
  CHECK(map_folder("a.b.c", '.', '/')->target == "a/b/c");
  CHECK(map_folder("flat", std::nullopt, '.')->target == "flat");
}

TEST_CASE("INBOX is case-insensitive and always INBOX", "[migrate][folders]") {
  CHECK(map_folder("inbox", '/', '.')->target == "INBOX");
  CHECK(map_folder("Inbox/Sub", '/', '.')->target == "INBOX.Sub");
  CHECK(map_folder("Inboxes", '/', '.')->target == "Inboxes");
}

TEST_CASE("non-ASCII names are re-encoded, delimiters inside a level replaced", "[migrate][folders]") {
  auto m = map_folder("Entw&APw-rfe/Gel&APY-scht", '/', '.');
  REQUIRE(m);
  CHECK(m->target == "Entw&APw-rfe.Gel&APY-scht");
  CHECK(m->display == "Entw\xc3\xbcrfe/Gel\xc3\xb6scht");
  auto dotted = map_folder("Projects/v1.2", '/', '.');
  REQUIRE(dotted);
  CHECK(dotted->target == "Projects.v1_2");
  CHECK(dotted->display == "Projects/v1_2");  // reports name the folder that was created
  CHECK(dotted->renamed_part);
}

TEST_CASE("a malformed source name is an error naming it", "[migrate][folders]") {
  auto m = map_folder("Bad&-name&ZZZ", '/', '.');
  REQUIRE_FALSE(m);
  CHECK(m.error().where.find("Bad&-name&ZZZ") != std::string::npos);
}
