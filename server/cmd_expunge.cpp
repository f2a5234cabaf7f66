#include "server/commands.h"

#include "server/expunge.h"

namespace mf::server {

// RFC 9051 §6.4.3; UID EXPUNGE (RFC 4315 §2.1) only within a UID set. The
// EXPUNGE responses come from the session's sync before the tagged OK.
net::Task<Result<Reply>> cmd_expunge(Session& session, imap::Command& command) {
  std::optional<imap::SequenceSet> uids;
  if (command.uid) {
    if (command.args.size() != 1) co_return bad("UID EXPUNGE takes a UID set");
    MF_CO_TRY_OR_BAD(named, session.selected().named(command.args[0], true));
    std::vector<std::uint32_t> numbers;
    for (auto seq : named) numbers.push_back(session.selected().at(seq).record.uid);
    uids = imap::SequenceSet::from_numbers(std::move(numbers));
  } else if (!command.args.empty()) {
    co_return bad("EXPUNGE takes no arguments");
  }
  if (session.selected().read_only()) co_return no("the mailbox is read-only", "READ-ONLY");
  auto removed = co_await expunge_deleted(session, uids ? &*uids : nullptr);
  if (!removed) co_return no(removed.error());
  co_return ok("EXPUNGE completed");
}

}  // namespace mf::server
