#include "server/commands.h"

namespace mf::server {

// RFC 2342 §5: one personal namespace, no prefix, "/" between levels.
net::Task<Result<Reply>> cmd_namespace(Session& session, imap::Command& command) {
  if (!command.args.empty()) co_return bad("NAMESPACE takes no arguments");
  session.out().untagged("NAMESPACE ((\"\" \"/\")) NIL NIL");
  co_return ok("NAMESPACE completed");
}

}  // namespace mf::server
