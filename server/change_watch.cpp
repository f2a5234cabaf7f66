#include "server/change_watch.h"

#include <algorithm>

namespace mf::server {

std::uint64_t ChangeWatch::generation(const std::string& user) const {
  auto it = users_.find(user);
  return it == users_.end() ? 0 : it->second.generation;
}

void ChangeWatch::changed(const std::string& user) {
  auto& entry = users_[user];
  ++entry.generation;
  for (auto* timer : entry.waiters) timer->cancel();
}

ChangeWatch::Waiter::Waiter(ChangeWatch& watch, std::string user, boost::asio::any_io_executor executor)
    : watch_(watch), user_(std::move(user)), timer_(std::move(executor)) {
  timer_.expires_at(boost::asio::steady_timer::time_point::max());
  watch_.users_[user_].waiters.push_back(&timer_);
}

ChangeWatch::Waiter::~Waiter() {
  auto& waiters = watch_.users_[user_].waiters;
  waiters.erase(std::remove(waiters.begin(), waiters.end(), &timer_), waiters.end());
}

}  // namespace mf::server
