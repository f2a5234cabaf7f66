#include "server/commands.h"

namespace mf::server {

// RFC 9051 §6.1.3: BYE, then the tagged OK, then the connection closes.
net::Task<Result<Reply>> cmd_logout(Session& session, imap::Command& command) {
  if (!command.args.empty()) co_return bad("LOGOUT takes no arguments");
  session.out().untagged("BYE logging out");
  session.deselect();
  session.logout();
  co_return ok("LOGOUT completed");
}

}  // namespace mf::server
