// Where the server's blocking store work runs: SQLite commits, fsyncs and
// zstd, on one thread of its own (net::OffloadLane), so a slow disk stalls
// no connection's reading and writing. Each user's Mailstore is opened on
// that thread on first use and kept; only that thread touches them, so the
// store needs no locks, and every session of a user sees the others'
// commits at its next command.
#pragma once

#include "net/offload.h"
#include "server/change_watch.h"
#include "store/mailstore.h"

#include <map>
#include <string>

namespace mf::server {

class StoreLane {
 public:
  // default_quota: bytes per user (0: none) where the user has no quota of their own.
  StoreLane(std::string mail_dir, std::uint64_t default_quota)
      : mail_dir_(std::move(mail_dir)), default_quota_(default_quota) {}

  // Runs work(Mailstore&) for user on the lane; its Result comes back.
  // When the work wrote anything, the user's waiters (IDLE) are woken.
  template <class F, class T = std::invoke_result_t<F, store::Mailstore&>>
  [[nodiscard]] net::Task<T> run(const std::string& user, F work) {
    bool wrote = false;
    T result = co_await lane_.run([this, &user, &work, &wrote]() -> T {
      auto it = open_.find(user);
      if (it == open_.end()) {
        auto opened = store::Mailstore::open(mail_dir_ + "/" + user);
        if (!opened) return T(opened.error());
        opened->set_default_quota(default_quota_);
        it = open_.emplace(user, std::move(*opened)).first;
      }
      auto before = it->second.writes();
      T done = work(it->second);
      wrote = it->second.writes() != before;
      return done;
    });
    if (wrote) watch_.changed(user);  // back on the I/O thread
    co_return result;
  }

  // Touched on the I/O thread only.
  ChangeWatch& watch() { return watch_; }

 private:
  std::string mail_dir_;
  std::uint64_t default_quota_;
  std::map<std::string, store::Mailstore> open_;  // touched on the lane's thread only
  ChangeWatch watch_;
  net::OffloadLane lane_;  // last: joined first, while open_ still exists
};

}  // namespace mf::server
