#include "migrate/throttle.h"

#include "tests/result_printer.h"

using namespace mf::migrate;
using namespace std::chrono_literals;

TEST_CASE("an unlimited throttle never waits", "[migrate][throttle]") {
  Throttle t(0, 0);
  CHECK_FALSE(t.limited());
  CHECK(t.admit(1 << 30, 100000) == 0ms);
  CHECK(t.max_batch_bytes(16 << 20) == (16u << 20));
}

TEST_CASE("the throttle spaces batches by the slower of its rates", "[migrate][throttle]") {
  auto start = Throttle::Clock::now();
  Throttle t(1000, 10, start);  // 1 kB/s, 10 messages/s
  CHECK(t.limited());
  CHECK(t.admit(500, 1, start) == 0ms);            // the first batch goes at once
  CHECK(t.admit(500, 1, start) == 500ms);          // 500 bytes before it: half a second
  CHECK(t.admit(100, 20, start + 2s) == 0ms);      // 1000 bytes sent by 1 s, it is 2 s now
  CHECK(t.admit(0, 1, start + 2s) == 200ms);       // 22 messages sent: due at 2.2 s
  CHECK(t.max_batch_bytes(16 << 20) == 1000);
  CHECK(t.max_batch_messages(500) == 10);
}
