#include "server/commands.h"

namespace mf::server {

// RFC 9051 §6.3.6: children move with the mailbox; INBOX's messages move and INBOX stays.
net::Task<Result<Reply>> cmd_rename(Session& session, imap::Command& command) {
  if (command.args.size() != 2) co_return bad("RENAME takes two mailbox names");
  MF_CO_TRY_MAILBOX(from, command.args[0]);
  MF_CO_TRY_MAILBOX(to, command.args[1]);
  while (!to.empty() && to.back() == '/') to.pop_back();
  if (to.empty() || to == "INBOX") co_return no("that mailbox exists", "ALREADYEXISTS");
  auto renamed = co_await session.store([&](store::Mailstore& s) { return s.rename(from, to); });
  if (!renamed) co_return no(renamed.error());
  co_return ok("RENAME completed");
}

}  // namespace mf::server
