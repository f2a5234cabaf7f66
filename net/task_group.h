// Structured concurrency for coroutines on one executor: a TaskGroup's
// tasks run at once, and wait() returns when every one has ended (instead
// of detached co_spawns counted by hand). An exception escaping a task is a
// bug, not an Error: wait() rethrows the first.
#pragma once

#include "net/connection.h"

#include <boost/asio/experimental/channel.hpp>

#include <chrono>
#include <cstddef>
#include <exception>
#include <memory>

namespace mf::net {

class TaskGroup {
 public:
  explicit TaskGroup(asio::any_io_executor executor);
  void spawn(Task<void> task);
  [[nodiscard]] Task<void> wait();

 private:
  struct State;
  asio::any_io_executor executor_;
  std::shared_ptr<State> state_;
};

// Waits `delay` on the calling coroutine's executor (0: returns at once).
[[nodiscard]] Task<void> sleep_for(std::chrono::milliseconds delay);

}  // namespace mf::net
