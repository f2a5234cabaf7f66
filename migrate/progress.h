// The progress of one account: a one-line display on a terminal (messages,
// bytes, rate, and with totals known an ETA), redrawn at most five times a
// second, silent when disabled. Another thread may read it (a bulk run's
// display) while the account's thread adds to it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace mf::migrate {

class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled) {}
  void set_totals(std::uint64_t messages, std::uint64_t bytes);
  void set_folder(std::string folder);
  void add(std::uint64_t messages, std::uint64_t bytes);
  void finish();  // clears the line

  struct Snapshot {
    std::uint64_t messages = 0, total_messages = 0, bytes = 0, total_bytes = 0;
    std::string folder;
  };
  Snapshot snapshot() const;

  // "12.3 MB", "4.0 KB": the units a report uses.
  static std::string bytes_text(double bytes);
  static std::string duration_text(double seconds);
  // "120/5000 messages  1.2 MB/40.0 MB  3.1 MB/s  ETA 0:12  INBOX"
  static std::string progress_text(const Snapshot& s, double elapsed_seconds);

 private:
  void draw(bool force);

  bool enabled_;
  std::atomic<std::uint64_t> total_messages_ = 0, total_bytes_ = 0, messages_ = 0, bytes_ = 0;
  mutable std::mutex folder_mutex_;
  std::string folder_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace mf::migrate
