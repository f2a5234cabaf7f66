#include "server/login_throttle.h"

#include "tests/result_printer.h"

using namespace mf::server;
using namespace std::chrono_literals;

TEST_CASE("failed logins slow down the next ones from the address and for the user", "[server][auth]") {
  LoginThrottle throttle;
  auto t = LoginThrottle::Clock::now();
  CHECK(throttle.delay("192.0.2.1:5000", "alice", t) == 0ms);
  throttle.failed("192.0.2.1:5000", "alice", t);
  // Another connection from the same address (another port), for another user: slowed too.
  CHECK(throttle.delay("192.0.2.1:6000", "bob", t) == 500ms);
  // Another address, for the same user: slowed too.
  CHECK(throttle.delay("198.51.100.7:1", "alice", t) == 500ms);
  // Neither: not slowed.
  CHECK(throttle.delay("198.51.100.7:1", "bob", t) == 0ms);
  for (int i = 0; i < 3; ++i) throttle.failed("192.0.2.1:5000", "alice", t);
  CHECK(throttle.delay("192.0.2.1:5000", "carol", t) == 4000ms);
  for (int i = 0; i < 10; ++i) throttle.failed("192.0.2.1:5000", "alice", t);
  CHECK(throttle.delay("192.0.2.1:5000", "alice", t) == 8000ms);  // at most 8 s
  // Quiet for 15 minutes: forgotten.
  CHECK(throttle.delay("192.0.2.1:5000", "alice", t + 15min) == 0ms);
  // A login that succeeds clears both counts.
  throttle.succeeded("192.0.2.1:5000", "alice");
  CHECK(throttle.delay("192.0.2.1:5000", "alice", t) == 0ms);
}

TEST_CASE("an IPv6 client counts by its /64 and a name longer than any user only by its address", "[server][auth]") {
  CHECK(LoginThrottle::address_key("2001:db8:1:2:3:4:5:6:993") == "2001:db8:1:2::/64");
  CHECK(LoginThrottle::address_key("127.0.0.1:143") == "127.0.0.1");
  LoginThrottle throttle;
  auto t = LoginThrottle::Clock::now();
  throttle.failed("2001:db8:1:2:3:4:5:6:993", "alice", t);
  CHECK(throttle.delay("2001:db8:1:2:ffff::1:993", "bob", t) == 500ms);
  CHECK(throttle.delay("2001:db8:1:3::1:993", "bob", t) == 0ms);
  std::string long_name(1000, 'x');
  throttle.failed("192.0.2.9:1", long_name, t);
  CHECK(throttle.delay("192.0.2.10:1", long_name, t) == 0ms);
  CHECK(throttle.delay("192.0.2.9:1", "bob", t) == 500ms);
}

TEST_CASE("the throttle remembers a bounded number of addresses", "[server][auth]") {
  LoginThrottle throttle;
  auto t = LoginThrottle::Clock::now();
  for (std::size_t i = 0; i < LoginThrottle::kMaxEntries + 10; ++i)
    throttle.failed("10." + std::to_string(i >> 16) + "." + std::to_string((i >> 8) & 255) + "." +
                        std::to_string(i & 255) + ":1",
                    "u", t + std::chrono::milliseconds(i));
  // The newest is still counted, the oldest went.
  std::size_t last = LoginThrottle::kMaxEntries + 9;
  CHECK(throttle.delay("10." + std::to_string(last >> 16) + "." + std::to_string((last >> 8) & 255) + "." +
                           std::to_string(last & 255) + ":1",
                       "v", t + std::chrono::milliseconds(last)) == 500ms);
  CHECK(throttle.delay("10.0.0.0:1", "v", t + std::chrono::milliseconds(last)) == 0ms);
}
