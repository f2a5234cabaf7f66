#include "migrate/progress.h"

#include <cstdio>

namespace mf::migrate {

std::string Progress::bytes_text(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1000 && u < 4) {
    bytes /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return buf;
}

std::string Progress::duration_text(double seconds) {
  auto s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

void Progress::set_totals(std::uint64_t messages, std::uint64_t bytes) {
  total_messages_ = messages;
  total_bytes_ = bytes;
  start_ = std::chrono::steady_clock::now();
}

void Progress::set_folder(std::string folder) {
  {
    std::lock_guard lock(folder_mutex_);
    folder_ = std::move(folder);
  }
  draw(true);
}

Progress::Snapshot Progress::snapshot() const {
  std::lock_guard lock(folder_mutex_);
  return Snapshot{messages_, total_messages_, bytes_, total_bytes_, folder_};
}

void Progress::add(std::uint64_t messages, std::uint64_t bytes) {
  messages_ += messages;
  bytes_ += bytes;
  draw(false);
}

void Progress::draw(bool force) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  double elapsed = std::chrono::duration<double>(now - start_).count();
  std::string line = progress_text(snapshot(), elapsed);
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
}

std::string Progress::progress_text(const Snapshot& s, double elapsed) {
  double rate = elapsed > 0 ? s.bytes / elapsed : 0;
  std::string folder = s.folder.size() > 30 ? "..." + s.folder.substr(s.folder.size() - 27) : s.folder;
  std::string line = std::to_string(s.messages);
  if (s.total_messages > 0) line += "/" + std::to_string(s.total_messages);
  line += " messages  " + bytes_text(s.bytes);
  if (s.total_bytes > 0) line += "/" + bytes_text(s.total_bytes);
  line += "  " + bytes_text(rate) + "/s";
  if (s.total_bytes > 0 && rate > 0 && s.total_bytes >= s.bytes)
    line += "  ETA " + duration_text((s.total_bytes - s.bytes) / rate);
  return line + "  " + folder;
}

void Progress::finish() {
  if (!enabled_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
}

}  // namespace mf::migrate
