// TaskGroup (tasks at once, awaited together) and OffloadLane (blocking
// work on its own thread, awaited without blocking the io_context).
#include "net/offload.h"
#include "net/run.h"
#include "net/task_group.h"

#include <atomic>
#include <stdexcept>
#include <thread>

#include "tests/result_printer.h"

using namespace mf;
using namespace std::chrono_literals;

TEST_CASE("a task group's wait returns when every task has ended", "[net]") {
  std::vector<int> ended;
  auto order = net::run_task([&]() -> net::Task<int> {
    net::TaskGroup group(co_await net::asio::this_coro::executor);
    for (int ms : {60, 10, 30})
      group.spawn([](std::vector<int>& out, int ms) -> net::Task<void> {
        co_await net::sleep_for(std::chrono::milliseconds(ms));
        out.push_back(ms);
      }(ended, ms));
    co_await group.wait();
    co_return static_cast<int>(ended.size());
  }());
  CHECK(order == 3);
  CHECK(ended == std::vector<int>{10, 30, 60});  // they ran at once, not one after the other
}

TEST_CASE("a task group rethrows what escaped a task, after all have ended", "[net]") {
  bool other_ended = false;
  auto run = [&] {
    return net::run_task([&]() -> net::Task<int> {
      net::TaskGroup group(co_await net::asio::this_coro::executor);
      group.spawn([]() -> net::Task<void> {
        throw std::logic_error("a bug");
        co_return;
      }());
      group.spawn([](bool& ended) -> net::Task<void> {
        co_await net::sleep_for(20ms);
        ended = true;
      }(other_ended));
      co_await group.wait();
      co_return 0;
    }());
  };
  CHECK_THROWS_AS(run(), std::logic_error);
  CHECK(other_ended);
}

TEST_CASE("blocking work on the offload lane leaves the io_context free", "[net]") {
  net::OffloadLane lane;
  std::atomic<int> ticks{0};
  auto caller = std::this_thread::get_id();
  std::thread::id worker;
  int ticks_when_done = 0;
  auto result = net::run_task([&]() -> net::Task<int> {
    net::TaskGroup group(co_await net::asio::this_coro::executor);
    group.spawn([](std::atomic<int>& t) -> net::Task<void> {
      for (int i = 0; i < 5; ++i) {
        co_await net::sleep_for(10ms);
        ++t;
      }
    }(ticks));
    auto pending = lane.start(co_await net::asio::this_coro::executor, [&] {
      worker = std::this_thread::get_id();
      std::this_thread::sleep_for(200ms);  // an fsync that takes its time
      return 42;
    });
    int value = co_await pending.get();
    ticks_when_done = ticks;
    co_await group.wait();
    co_return value;
  }());
  CHECK(result == 42);
  CHECK(worker != caller);
  CHECK(ticks_when_done == 5);  // the timers fired while the work blocked its own thread
  CHECK_THROWS_AS(net::run_task(lane.run([]() -> int { throw std::runtime_error("bug"); })), std::runtime_error);
}
