// RFC 5322 Date: headers.
#include "mime/date.h"

#include "tests/result_printer.h"

using mf::mime::parse_date;

TEST_CASE("message Date: headers in their common and obsolete forms", "[mime]") {
  CHECK(parse_date("Tue, 20 Aug 2002 17:32:06 +0100").value().epoch == 1029861126);
  CHECK(parse_date("20 Aug 2002 17:32:06 +0100 (BST)").value().epoch == 1029861126);
  CHECK(parse_date("Tue, 20 Aug 02 16:32 GMT").value().epoch == 1029861120);
  CHECK(parse_date("Tue, 20 Aug 2002 12:32:06 EDT").value().epoch == 1029861126);
  CHECK(parse_date("Tue, 20 Aug 2002 17:32:06 +0100").value().zone_minutes == 60);
  CHECK_FALSE(parse_date("yesterday"));
  CHECK_FALSE(parse_date("Tue, 20 Foo 2002 17:32:06 +0100"));
  CHECK_FALSE(parse_date("5MAr74+876666666666666:7:7:4+7666666666666666"));  // found by frame_fuzz
  CHECK_FALSE(parse_date("1 Mar 2002 -5:00:00 +0000"));
  CHECK_FALSE(parse_date("1 Mar 99999999 10:00:00 +0000"));
}
