#include "server/commands.h"

namespace mf::server {

// RFC 9051 §6.3.5. A mailbox with children is refused (HASCHILDREN), as
// Dovecot does on its own mail storage: their messages stay reachable.
net::Task<Result<Reply>> cmd_delete(Session& session, imap::Command& command) {
  if (command.args.size() != 1) co_return bad("DELETE takes a mailbox name");
  MF_CO_TRY_MAILBOX(name, command.args[0]);
  if (name == "INBOX") co_return no("INBOX cannot be deleted", "CANNOT");
  if (session.has_selected() && session.selected().info().name == name) session.deselect();
  auto removed = co_await session.store([&](store::Mailstore& s) { return s.remove(name); });
  if (!removed && removed.error().code == Errc::Exists) co_return no("delete its children first", "HASCHILDREN");
  if (!removed) co_return no(removed.error());
  co_return ok("DELETE completed");
}

}  // namespace mf::server
