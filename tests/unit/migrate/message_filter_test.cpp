#include "migrate/message_filter.h"

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::migrate;

TEST_CASE("filter dates are UTC days or instants", "[migrate][filter]") {
  CHECK(parse_filter_date("2002-07-30").value() == 1027987200);
  CHECK(parse_filter_date("2002-07-30T05:00:00Z").value() == 1028005200);
  CHECK(parse_filter_date("2002-07-30T05:00:00").value() == 1028005200);
  for (const char* bad : {"30.07.2002", "2002-13-01", "2002-07-30T25:00:00", "2002-07-30 05:00", "", "2002-07-30Tx"})
    CHECK_FALSE(parse_filter_date(bad));
}

TEST_CASE("sizes take binary units", "[migrate][filter]") {
  CHECK(parse_size("1000").value() == 1000);
  CHECK(parse_size("4K").value() == 4096);
  CHECK(parse_size("25M").value() == 25u << 20);
  CHECK(parse_size("1G").value() == 1u << 30);
  for (const char* bad : {"", "big", "10MB", "0", "-5", "M"}) CHECK_FALSE(parse_size(bad));
}

TEST_CASE("a filter takes from since on, up to before, and at most max_size", "[migrate][filter]") {
  MessageFilter none;
  CHECK_FALSE(none.active());
  CHECK(none.wanted(1 << 30, 0));
  MessageFilter f{100, 200, 1000};
  CHECK(f.active());
  CHECK(f.wanted(1000, 100));
  CHECK_FALSE(f.wanted(1001, 150));
  CHECK_FALSE(f.wanted(10, 99));
  CHECK_FALSE(f.wanted(10, 200));
  CHECK(f.wanted(10, std::nullopt));  // no date sent: only the size decides
}
