#include "core/crash_point.h"

#include <csignal>
#include <cstdlib>
#include <string>
#include <thread>

namespace mf {
namespace {

struct CrashPlan {
  std::string name;
  long remaining = 0;
};

CrashPlan read_plan(const char* variable) {
  CrashPlan plan;
  const char* value = std::getenv(variable);
  if (!value || !*value) return plan;
  std::string spec = value;
  auto colon = spec.find(':');
  plan.name = spec.substr(0, colon);
  plan.remaining = colon == std::string::npos ? 1 : std::atol(spec.c_str() + colon + 1);
  return plan;
}

}  // namespace

void crash_point(std::string_view name) {
  static CrashPlan plan = read_plan("MAILFERRY_CRASH_AT");
  // The same points, for the polite stop: SIGINT, once, as a user's Ctrl-C.
  static CrashPlan interrupt = read_plan("MAILFERRY_SIGNAL_AT");
  if (!interrupt.name.empty() && interrupt.name == name && --interrupt.remaining <= 0) {
    interrupt.name.clear();
    std::raise(SIGINT);
  }
  if (plan.name.empty() || plan.name != name) return;
  if (--plan.remaining <= 0) std::raise(SIGKILL);
}

void delay_point(std::string_view name) {
  static const CrashPlan plan = read_plan("MAILFERRY_DELAY_AT");  // remaining: milliseconds
  if (!plan.name.empty() && plan.name == name) std::this_thread::sleep_for(std::chrono::milliseconds(plan.remaining));
}

}  // namespace mf
