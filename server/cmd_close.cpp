#include "server/commands.h"

#include "server/expunge.h"

namespace mf::server {

// RFC 9051 §6.4.1: removes the \Deleted messages (read-write only), without
// EXPUNGE responses, and leaves the selected state.
net::Task<Result<Reply>> cmd_close(Session& session, imap::Command& command) {
  if (!command.args.empty()) co_return bad("CLOSE takes no arguments");
  if (!session.selected().read_only()) {
    auto removed = co_await expunge_deleted(session, nullptr);
    if (!removed) co_return no(removed.error());
  }
  session.deselect();
  co_return ok("CLOSE completed");
}

// RFC 3691 §2: leaves the selected state, expunging nothing.
net::Task<Result<Reply>> cmd_unselect(Session& session, imap::Command& command) {
  if (!command.args.empty()) co_return bad("UNSELECT takes no arguments");
  session.deselect();
  co_return ok("UNSELECT completed");
}

}  // namespace mf::server
