// A polite stop for long runs: the first SIGINT or SIGTERM asks the work to
// end at its next safe point (a migration after the batch in flight is
// recorded, an import after the batch in flight is durable); a second one
// ends the process at once. Either way nothing acknowledged is lost: every
// durable write is fsynced first, and an interrupted batch is settled on the
// next run.
#pragma once

namespace mf {

// Installs the handlers (once, in main).
void install_stop_handlers();
// Whether a stop was asked for; long work checks it between its steps.
bool stop_requested();

}  // namespace mf
