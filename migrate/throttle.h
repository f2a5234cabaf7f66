// Keeps a migration under a configured rate (--max-bytes-per-second,
// --max-messages-per-second): says how long to wait before the next batch
// so that everything sent since the start stays within the rates. One
// Throttle may be shared by the accounts of a bulk run (thread-safe).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

namespace mf::migrate {

class Throttle {
 public:
  using Clock = std::chrono::steady_clock;

  // 0 means no limit.
  Throttle(std::uint64_t bytes_per_second, std::uint64_t messages_per_second, Clock::time_point start = Clock::now())
      : bytes_per_second_(bytes_per_second), messages_per_second_(messages_per_second), start_(start) {}

  bool limited() const { return bytes_per_second_ || messages_per_second_; }
  // Records a batch about to be sent; returns how long to wait before sending it.
  std::chrono::milliseconds admit(std::uint64_t bytes, std::uint64_t messages, Clock::time_point now = Clock::now());
  // The largest batch that fits one second of the rates (at least one message).
  std::uint64_t max_batch_bytes(std::uint64_t wanted) const;
  std::uint64_t max_batch_messages(std::uint64_t wanted) const;

 private:
  std::uint64_t bytes_per_second_;
  std::uint64_t messages_per_second_;
  Clock::time_point start_;
  std::mutex mutex_;
  std::uint64_t bytes_ = 0;
  std::uint64_t messages_ = 0;
};

}  // namespace mf::migrate
