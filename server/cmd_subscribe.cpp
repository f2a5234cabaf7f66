#include "server/commands.h"

namespace mf::server {
namespace {

net::Task<Result<Reply>> change_subscription(Session& session, imap::Command& command, bool on) {
  if (command.args.size() != 1) co_return bad(command.name + " takes a mailbox name");
  MF_CO_TRY_MAILBOX(name, command.args[0]);
  auto done = co_await session.store([&](store::Mailstore& s) { return s.subscribe(name, on); });
  if (!done) co_return no(done.error());
  co_return ok(command.name + " completed");
}

}  // namespace

// RFC 9051 §6.3.7, §6.3.8: a subscription may name a mailbox that does not exist.
net::Task<Result<Reply>> cmd_subscribe(Session& session, imap::Command& command) {
  co_return co_await change_subscription(session, command, true);
}

net::Task<Result<Reply>> cmd_unsubscribe(Session& session, imap::Command& command) {
  co_return co_await change_subscription(session, command, false);
}

}  // namespace mf::server
