#include "server/commands.h"

namespace mf::server {

// RFC 5161 §3.1 and RFC 9051 §6.3.1: IMAP4rev2 and CONDSTORE (RFC 7162
// §3.1) can be enabled; ENABLED lists what this command enabled, unknown
// names are ignored.
net::Task<Result<Reply>> cmd_enable(Session& session, imap::Command& command) {
  if (command.args.empty()) co_return bad("ENABLE needs at least one capability");
  for (const auto& arg : command.args)
    if (!arg.is_atom()) co_return bad("ENABLE takes capability names");
  std::string enabled;
  for (const auto& arg : command.args) {
    if (imap::iequals(arg.text, "IMAP4rev2") && !session.rev2()) {
      session.enable_rev2();
      enabled += " IMAP4rev2";
    }
    if (imap::iequals(arg.text, "CONDSTORE") && !session.condstore()) {
      session.enable_condstore();
      enabled += " CONDSTORE";
    }
  }
  session.out().untagged("ENABLED" + enabled);
  co_return ok("ENABLE completed");
}

}  // namespace mf::server
