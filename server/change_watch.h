// Who waits for a user's mail to change: an IDLE session (RFC 9051
// §6.3.13) is woken when any session or an LMTP delivery of the same
// user wrote to the store, instead of polling. Used on the server's I/O
// thread only (the store lane reports its writes back there).
#pragma once

#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mf::server {

class ChangeWatch {
 public:
  // Counts the user's writes so far: a waiter compares it before and after
  // its own catching up, so no change falls between the two.
  std::uint64_t generation(const std::string& user) const;
  // The user's store was written: the generation grows, every waiter's timer is cancelled.
  void changed(const std::string& user);

  // A timer that changed() cancels while it is registered (RAII).
  class Waiter {
   public:
    Waiter(ChangeWatch& watch, std::string user, boost::asio::any_io_executor executor);
    ~Waiter();
    Waiter(const Waiter&) = delete;
    Waiter& operator=(const Waiter&) = delete;
    boost::asio::steady_timer& timer() { return timer_; }

   private:
    ChangeWatch& watch_;
    std::string user_;
    boost::asio::steady_timer timer_;
  };

 private:
  struct Entry {
    std::uint64_t generation = 0;
    std::vector<boost::asio::steady_timer*> waiters;
  };
  std::map<std::string, Entry> users_;  // one per user that changed or waits: bounded by the users
};

}  // namespace mf::server
