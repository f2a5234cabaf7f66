// Failed logins slow down the next ones, per client address and per user
// name, across connections: a guesser who opens many connections, or many
// guessers at one user, wait as one does. After n failures (counted while
// they come less than 15 minutes apart) a password check from that address
// or for that user waits 0.5 s * 2^(n-1), at most 8 s, and so does the
// failure's answer; a login that succeeds clears both counts. Nobody is
// locked out: a user under attack waits at most 8 s, and a client that
// logged in with the same password lately (the auth cache) not at all.
// IPv6 addresses count by their /64, which one host usually holds whole.
// Bounded: at most kMaxEntries addresses and as many users are remembered.
// Used on the I/O thread only.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>

namespace mf::server {

class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kMaxEntries = 100000;

  // How long a check from peer ("address:port") for user waits first.
  std::chrono::milliseconds delay(std::string_view peer, std::string_view user, Clock::time_point now) const;
  void failed(std::string_view peer, std::string_view user, Clock::time_point now);
  void succeeded(std::string_view peer, std::string_view user);

  // What counts as one address: the IP without the port, an IPv6 one cut to its /64.
  static std::string address_key(std::string_view peer);

 private:
  struct Count {
    unsigned failures = 0;
    Clock::time_point last;
  };
  using Counts = std::map<std::string, Count, std::less<>>;
  static unsigned failures(const Counts& counts, std::string_view key, Clock::time_point now);
  static void add_failure(Counts& counts, std::string key, Clock::time_point now);

  Counts by_address_, by_user_;
};

}  // namespace mf::server
