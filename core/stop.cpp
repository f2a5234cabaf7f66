#include "core/stop.h"

#include <atomic>
#include <csignal>
#include <unistd.h>

namespace mf {
namespace {

std::atomic<bool> stopping{false};

// Only async-signal-safe calls: an atomic, write(2), _exit(2).
extern "C" void on_stop_signal(int) {
  if (stopping.exchange(true)) ::_exit(130);  // the second one: at once
  static const char kNote[] =
      "\nmailferry: stopping after the batch in flight (press Ctrl-C again to stop at once)\n";
  (void)!::write(2, kNote, sizeof kNote - 1);
}

}  // namespace

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

bool stop_requested() { return stopping.load(std::memory_order_relaxed); }

}  // namespace mf
