#include "server/commands.h"

#include "core/base64.h"
#include "imap/value.h"
#include "sasl/mechanisms.h"

namespace mf::server {

// RFC 9051 §6.2.2 with SASL-IR (RFC 4959): PLAIN (RFC 4616) only, its
// initial response with the command or after an empty "+".
net::Task<Result<Reply>> cmd_authenticate(Session& session, imap::Command& command) {
  if (command.args.empty() || command.args.size() > 2 || !command.args[0].is_atom())
    co_return bad("AUTHENTICATE takes a mechanism and perhaps an initial response");
  if (!imap::iequals(command.args[0].text, "PLAIN")) co_return no("only PLAIN is offered", "CANNOT");
  if (!session.login_allowed()) co_return no("use STARTTLS first", "PRIVACYREQUIRED");
  std::string encoded;
  if (command.args.size() == 2) {
    if (!command.args[1].is_atom()) co_return bad("the initial response is base64");
    encoded = command.args[1].text == "=" ? "" : command.args[1].text;  // RFC 4959 §3: "=" is empty
  } else {
    session.out().continuation("");
    MF_CO_TRY(line, co_await session.read_line());
    if (line == "*") co_return bad("AUTHENTICATE cancelled");  // RFC 9051 §6.2.2
    encoded = line;
  }
  auto message = base64_decode(encoded);
  if (!message) co_return bad("the response is not base64");
  auto plain = sasl::parse_plain(*message);
  if (!plain) co_return bad("not a PLAIN message (RFC 4616)");
  // An authorization identity other than the user's own would be acting as another user.
  if (!plain->authzid.empty() && plain->authzid != plain->authcid)
    co_return no("acting as another user is not allowed", "AUTHORIZATIONFAILED");
  if (!co_await session.check_password(plain->authcid, plain->password))
    co_return no("wrong user name or password", "AUTHENTICATIONFAILED");
  session.logged_in(plain->authcid);
  co_return ok("logged in", "CAPABILITY " + session.capabilities());
}

}  // namespace mf::server
