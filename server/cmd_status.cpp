#include "server/commands.h"

#include "server/status_items.h"

#include <algorithm>

namespace mf::server {

// RFC 9051 §6.3.11 (the items: server/status_items.h).
net::Task<Result<Reply>> cmd_status(Session& session, imap::Command& command) {
  if (command.args.size() != 2) co_return bad("STATUS takes a mailbox name and a list of items");
  MF_CO_TRY_MAILBOX(name, command.args[0]);
  MF_CO_TRY_OR_BAD(items, parse_status_items(command.args[1]));
  if (std::find(items.begin(), items.end(), "HIGHESTMODSEQ") != items.end()) session.enable_condstore();
  auto found = co_await session.store([&](store::Mailstore& s)
                                          -> Result<std::pair<store::MailboxInfo, store::MailboxCounts>> {
    MF_TRY(info, s.mailbox(name));
    MF_TRY(counts, s.counts(info));
    return std::pair{std::move(info), counts};
  });
  if (!found) co_return no(found.error());
  const auto& [info, counts] = *found;
  session.out().begin_untagged().raw("STATUS ").astring(session.mailbox_to_wire(name));
  session.out().raw(" (" + status_values(items, info, counts) + ")").end();
  co_return ok("STATUS completed");
}

}  // namespace mf::server
