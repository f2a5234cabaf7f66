#include "server/commands.h"

namespace mf::server {

// RFC 9051 §6.2.1: the tagged OK goes out in the clear, then the handshake.
net::Task<Result<Reply>> cmd_starttls(Session& session, imap::Command& command) {
  if (!command.args.empty()) co_return bad("STARTTLS takes no arguments");
  if (!session.context().tls || session.tls_active()) co_return bad("STARTTLS is not offered here");
  session.out().status(command.tag, imap::Status::Ok, "", "begin TLS now");
  MF_CO_CHECK(co_await session.start_tls());
  // The tagged OK is sent; the dispatcher's would be a second one.
  Reply sent = ok("");
  sent.sent = true;
  co_return sent;
}

}  // namespace mf::server
