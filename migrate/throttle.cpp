#include "migrate/throttle.h"

#include <algorithm>

namespace mf::migrate {

std::chrono::milliseconds Throttle::admit(std::uint64_t bytes, std::uint64_t messages, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  // The batch may start once what was sent before it has had its time.
  double due = 0;
  if (bytes_per_second_) due = std::max(due, static_cast<double>(bytes_) / static_cast<double>(bytes_per_second_));
  if (messages_per_second_)
    due = std::max(due, static_cast<double>(messages_) / static_cast<double>(messages_per_second_));
  bytes_ += bytes;
  messages_ += messages;
  double elapsed = std::chrono::duration<double>(now - start_).count();
  return std::chrono::milliseconds(due > elapsed ? static_cast<long>((due - elapsed) * 1000 + 0.5) : 0);
}

std::uint64_t Throttle::max_batch_bytes(std::uint64_t wanted) const {
  return bytes_per_second_ ? std::min(wanted, bytes_per_second_) : wanted;
}

std::uint64_t Throttle::max_batch_messages(std::uint64_t wanted) const {
  return messages_per_second_ ? std::max<std::uint64_t>(1, std::min(wanted, messages_per_second_)) : wanted;
}

}  // namespace mf::migrate
