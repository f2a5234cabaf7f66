#include "server/sort_keys.h"

#include "imap/command.h"

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::server;

TEST_CASE("base subjects drop the wrappers of replies and forwards as RFC 5256 says", "[server][sort]") {
  CHECK(base_subject("Re: Quarterly report") == "Quarterly report");
  CHECK(base_subject("[foo] Fwd: [bar] Re: fw: b (fWd)  (fwd)") == "b");
  CHECK(base_subject("Re: [FWD: c]") == "c");
  CHECK(base_subject("re: [fwd: [fwd: re: [fwd: babylon]]]") == "babylon");
  CHECK(base_subject("[xyz]") == "[xyz]");  // a blob is kept when nothing would be left
  CHECK(base_subject("Ad: Re: x") == "Ad: Re: x");  // "Ad:" is no reply marker
  CHECK(base_subject("=?iso-8859-1?q?RE:_C?=") == "C");  // decoded first
  CHECK(base_subject("  a\t\t b  ") == "a b");
  CHECK(base_subject("RE:RE: Re [x]: done") == "done");
  CHECK(base_subject("").empty());
}

TEST_CASE("SORT criteria order messages and ties keep mailbox order", "[server][sort]") {
  imap::Frame frame{"a SORT (REVERSE SIZE subject) UTF-8 ALL\r\n", {}};
  auto command = imap::parse_command(frame);
  REQUIRE(command);
  auto criteria = parse_sort_criteria(command->args[0]);
  REQUIRE(criteria);
  REQUIRE(criteria->size() == 2);
  CHECK((*criteria)[0].reverse);
  CHECK_FALSE((*criteria)[1].reverse);
  store::MessageRecord big, small;
  big.size = 900, small.size = 10;
  big.internaldate = small.internaldate = "01-Jan-2024 00:00:00 +0000";
  auto a = sort_values(1, small, "Subject: b\r\n\r\n");
  auto b = sort_values(2, big, "Subject: a\r\n\r\n");
  auto c = sort_values(3, big, "Subject: Re: A\r\nDate: Mon, 1 Jan 2024 10:00:00 +0200\r\n\r\n");
  CHECK(sorts_before(*criteria, b, a));        // larger first
  CHECK(sorts_before(*criteria, b, c));        // same size, same base subject: mailbox order
  CHECK_FALSE(sorts_before(*criteria, c, b));
  CHECK(c.date == 1704096000);                 // Date: in UTC
  CHECK(a.date == a.arrival);                  // no Date: the internal date
  imap::Frame bad_frame{"a SORT (REVERSE) UTF-8 ALL\r\n", {}};
  auto bad = imap::parse_command(bad_frame);
  REQUIRE(bad);
  CHECK_FALSE(parse_sort_criteria(bad->args[0]));
}
