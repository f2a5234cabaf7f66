// A lane for blocking work (an archive's fsyncs and SQLite commits): a
// thread of its own, to which a coroutine hands a function and whose result
// it awaits without blocking its io_context. start() begins the work at
// once and is awaited later (the archive stores a batch while the target
// takes it); run() is both.
#pragma once

#include "net/connection.h"

#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <memory>
#include <optional>
#include <type_traits>

namespace mf::net {

template <class T>
class Pending {
 public:
  struct Outcome {
    std::optional<T> value;
    std::exception_ptr failure;  // a bug in the work: rethrown by get()
  };
  using Channel = asio::experimental::concurrent_channel<void(boost::system::error_code, std::shared_ptr<Outcome>)>;

  explicit Pending(std::shared_ptr<Channel> channel) : channel_(std::move(channel)) {}
  // The work's result, once it is done (call once).
  [[nodiscard]] Task<T> get() {
    auto outcome = co_await channel_->async_receive(asio::use_awaitable);
    if (outcome->failure) std::rethrow_exception(outcome->failure);
    co_return std::move(*outcome->value);
  }

 private:
  std::shared_ptr<Channel> channel_;
};

class OffloadLane {
 public:
  OffloadLane() = default;
  OffloadLane(const OffloadLane&) = delete;
  OffloadLane& operator=(const OffloadLane&) = delete;
  ~OffloadLane() { pool_.join(); }

  // Starts work() on the lane now; `home` is the executor that awaits it.
  template <class F, class T = std::invoke_result_t<F>>
  Pending<T> start(asio::any_io_executor home, F work) {
    auto channel = std::make_shared<typename Pending<T>::Channel>(home, 1);
    asio::post(pool_, [channel, work = std::move(work)]() mutable {
      auto outcome = std::make_shared<typename Pending<T>::Outcome>();
      try {
        outcome->value.emplace(work());
      } catch (...) {
        outcome->failure = std::current_exception();
      }
      channel->try_send(boost::system::error_code{}, std::move(outcome));
    });
    return Pending<T>(std::move(channel));
  }

  template <class F, class T = std::invoke_result_t<F>>
  [[nodiscard]] Task<T> run(F work) {
    auto pending = start(co_await asio::this_coro::executor, std::move(work));
    co_return co_await pending.get();
  }

 private:
  asio::thread_pool pool_{1};
};

}  // namespace mf::net
