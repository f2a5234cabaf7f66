#include "server/commands.h"

namespace mf::server {

// RFC 9051 §6.1.2: nothing, but the session's updates (sent by the dispatcher).
net::Task<Result<Reply>> cmd_noop(Session&, imap::Command& command) {
  if (!command.args.empty()) co_return bad("NOOP takes no arguments");
  co_return ok("NOOP completed");
}

// RFC 9051 §6.4.1: CHECK is gone from IMAP4rev2 and a NOOP in IMAP4rev1;
// every change is durable when its command answers.
net::Task<Result<Reply>> cmd_check(Session&, imap::Command& command) {
  if (!command.args.empty()) co_return bad("CHECK takes no arguments");
  co_return ok("CHECK completed");
}

}  // namespace mf::server
