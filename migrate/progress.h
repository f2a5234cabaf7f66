// A one-line progress display on a terminal (messages, bytes, rate, and
// with totals known an ETA), redrawn at most five times a second. Silent
// when disabled.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace mf::migrate {

class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled) {}
  void set_totals(std::uint64_t messages, std::uint64_t bytes);
  void set_folder(std::string folder);
  void add(std::uint64_t messages, std::uint64_t bytes);
  void finish();  // clears the line

  // "12.3 MB", "4.0 KB": the units a report uses.
  static std::string bytes_text(double bytes);
  static std::string duration_text(double seconds);

 private:
  void draw(bool force);

  bool enabled_;
  std::uint64_t total_messages_ = 0, total_bytes_ = 0, messages_ = 0, bytes_ = 0;
  std::string folder_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace mf::migrate
