#include "server/commands.h"

namespace mf::server {

// RFC 9051 §6.1.1.
net::Task<Result<Reply>> cmd_capability(Session& session, imap::Command& command) {
  if (!command.args.empty()) co_return bad("CAPABILITY takes no arguments");
  session.out().untagged("CAPABILITY " + session.capabilities());
  co_return ok("CAPABILITY completed");
}

}  // namespace mf::server
