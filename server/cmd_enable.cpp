#include "server/commands.h"

namespace mf::server {

// RFC 5161 §3.1: nothing this server announces needs enabling yet, so
// ENABLED lists nothing; unknown names are ignored, as the RFC says.
net::Task<Result<Reply>> cmd_enable(Session& session, imap::Command& command) {
  if (command.args.empty()) co_return bad("ENABLE needs at least one capability");
  for (const auto& arg : command.args)
    if (!arg.is_atom()) co_return bad("ENABLE takes capability names");
  session.out().untagged("ENABLED");
  co_return ok("ENABLE completed");
}

}  // namespace mf::server
