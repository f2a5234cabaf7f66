#include "server/mailbox_pattern.h"

#include <string>

#include "tests/result_printer.h"

using namespace mf::server;

TEST_CASE("LIST patterns: star crosses levels and percent does not", "[server][list]") {
  CHECK(pattern_matches("*", "A/B/C"));
  CHECK(pattern_matches("%", "INBOX"));
  CHECK_FALSE(pattern_matches("%", "A/B"));
  CHECK(pattern_matches("A/%", "A/B"));
  CHECK_FALSE(pattern_matches("A/%", "A/B/C"));
  CHECK(pattern_matches("A*C", "A/B/C"));
  CHECK_FALSE(pattern_matches("A%C", "A/B/C"));
  CHECK(pattern_matches("%/%", "A/B"));
  CHECK_FALSE(pattern_matches("a", "A"));  // names match as written
  CHECK(full_pattern("", "inbox") == "INBOX");
  CHECK(full_pattern("Inbox/", "%") == "INBOX/%");
  CHECK(full_pattern("", "InboxOld") == "InboxOld");
  // A hostile pattern ends quickly.
  std::string hostile(5000, '*');
  hostile += "x";
  CHECK_FALSE(pattern_matches(hostile, std::string(5000, 'a')));
}
