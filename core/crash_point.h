// Fault injection for crash tests: crash_point("name") kills the process
// with SIGKILL when MAILFERRY_CRASH_AT=name:N is set and this is the N-th
// time the point is reached (N defaults to 1). Without the variable it
// does nothing but one comparison. The points a module has are listed in
// its documentation (docs/migrate.md for the copier).
// MAILFERRY_SIGNAL_AT=name:N raises SIGINT there instead, once (the polite
// stop of core/stop.h).
#pragma once

#include <string_view>

namespace mf {

void crash_point(std::string_view name);

// Slows a point down for tests of concurrent work: sleeps MS milliseconds
// there when MAILFERRY_DELAY_AT=name:MS is set.
void delay_point(std::string_view name);

}  // namespace mf
