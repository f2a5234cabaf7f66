#include "server/commands.h"

namespace mf::server {

// RFC 9051 §6.2.3. A password in the clear only over TLS, on loopback, or
// where the configuration allows it (then LOGINDISABLED is not announced).
net::Task<Result<Reply>> cmd_login(Session& session, imap::Command& command) {
  if (command.args.size() != 2 || !command.args[0].is_astring() || !command.args[1].is_astring())
    co_return bad("LOGIN takes a user name and a password");
  if (!session.login_allowed()) co_return no("use STARTTLS first", "PRIVACYREQUIRED");
  std::string user = command.args[0].text;
  if (!co_await session.check_password(user, command.args[1].text))
    co_return no("wrong user name or password", "AUTHENTICATIONFAILED");
  session.logged_in(user);
  co_return ok("logged in", "CAPABILITY " + session.capabilities());
}

}  // namespace mf::server
