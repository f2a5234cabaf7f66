#include "core/crash_point.h"

#include <csignal>
#include <cstdlib>
#include <string>

namespace mf {
namespace {

struct CrashPlan {
  std::string name;
  long remaining = 0;
};

CrashPlan read_plan() {
  CrashPlan plan;
  const char* value = std::getenv("MAILFERRY_CRASH_AT");
  if (!value || !*value) return plan;
  std::string spec = value;
  auto colon = spec.find(':');
  plan.name = spec.substr(0, colon);
  plan.remaining = colon == std::string::npos ? 1 : std::atol(spec.c_str() + colon + 1);
  return plan;
}

}  // namespace

void crash_point(std::string_view name) {
  static CrashPlan plan = read_plan();
  if (plan.name.empty() || plan.name != name) return;
  if (--plan.remaining <= 0) std::raise(SIGKILL);
}

}  // namespace mf
