// The queue between the search indexer's reading thread and its writing one.
#include "core/bounded_queue.h"

#include "tests/result_printer.h"

#include <atomic>
#include <thread>

TEST_CASE("a bounded queue holds the producer back when full, and a stop ends both sides", "[core]") {
  mf::BoundedQueue<int> queue(2);
  std::atomic<int> pushed{0};
  bool refused = false;
  std::thread producer([&] {
    for (int i = 0; i < 5; ++i) {
      if (!queue.push(i)) {
        refused = true;
        return;
      }
      ++pushed;
    }
  });
  while (pushed < 2) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(pushed == 2);  // full: the third waits for room
  CHECK(queue.pop() == 0);  // room for one more, never for all five
  queue.stop();              // the consumer gives up: the waiting producer is told so
  producer.join();
  CHECK(refused);
  CHECK(pushed <= 3);
}

TEST_CASE("what was pushed before a stop is still taken, then the end", "[core]") {
  mf::BoundedQueue<std::string> queue(4);
  CHECK(queue.push("a"));
  CHECK(queue.push("b"));
  queue.stop();
  CHECK_FALSE(queue.push("c"));
  CHECK(queue.pop() == std::optional<std::string>("a"));
  CHECK(queue.pop() == std::optional<std::string>("b"));
  CHECK(queue.pop() == std::nullopt);
}
