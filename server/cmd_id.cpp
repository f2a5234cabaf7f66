#include "server/commands.h"

namespace mf::server {

// RFC 2971 §3.1: the client's list is read and not kept; the server names itself.
net::Task<Result<Reply>> cmd_id(Session& session, imap::Command& command) {
  if (command.args.size() != 1 || !(command.args[0].is_atom("NIL") || command.args[0].is_list()))
    co_return bad("ID takes a parenthesised list or NIL");
  const auto& items = command.args[0].items;
  if (items.size() % 2 != 0 || items.size() > 60) co_return bad("ID's list is field-value pairs, at most 30");
  session.out().untagged("ID (\"name\" \"mailferry\" \"vendor\" \"mailferry\")");
  co_return ok("ID completed");
}

}  // namespace mf::server
