#include "core/log.h"

#include <atomic>
#include <string>
#include <unistd.h>

namespace mf::log {
namespace {
std::atomic<int> g_level{static_cast<int>(Level::Info)};

std::string_view prefix(Level level) {
  switch (level) {
    case Level::Debug: return "debug: ";
    case Level::Info: return "";
    case Level::Warn: return "warning: ";
    case Level::Error: return "error: ";
  }
  return "";
}
}  // namespace

void set_level(Level level) { g_level = static_cast<int>(level); }
bool enabled(Level level) { return static_cast<int>(level) >= g_level; }

void write(Level level, std::string_view message) {
  if (!enabled(level)) return;
  std::string line = "mailferry: ";
  line += prefix(level);
  line += message;
  line += '\n';
  // One write(2) per line keeps lines whole when threads log at once.
  (void)!::write(2, line.data(), line.size());
}

}  // namespace mf::log
