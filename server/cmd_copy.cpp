#include "server/commands.h"

namespace mf::server {
namespace {

struct Copied {
  std::uint32_t uidvalidity = 0;
  std::vector<std::uint32_t> from, to;  // UIDs, in the same order
};

// COPY and MOVE share all but the expunge (RFC 6851 §3.3).
net::Task<Result<Reply>> copy_or_move(Session& session, imap::Command& command, bool move) {
  if (command.args.size() != 2) co_return bad(command.name + " takes a sequence set and a mailbox name");
  auto& view = session.selected();
  MF_CO_TRY_OR_BAD(named, view.named(command.args[0], command.uid));
  MF_CO_TRY_MAILBOX(target, command.args[1]);
  if (move && view.read_only()) co_return no("the mailbox is read-only", "READ-ONLY");
  std::vector<std::uint32_t> uids;
  for (auto seq : named)
    if (!view.at(seq).expunged) uids.push_back(view.at(seq).record.uid);
  if (uids.empty()) co_return ok(command.name + " completed (nothing to do)");
  std::int64_t from = view.info().id;
  auto copied = co_await session.store([&](store::Mailstore& s) -> Result<Copied> {
    MF_TRY(info, s.mailbox(target));
    MF_TRY(made, move ? s.move(from, uids, info.id) : s.copy(from, uids, info.id));
    return Copied{info.uidvalidity, uids, std::move(made)};
  });
  if (!copied && copied.error().code == Errc::NotFound) co_return no("no such mailbox", "TRYCREATE");
  if (!copied) co_return no(copied.error());
  // RFC 4315 §3: COPYUID uidvalidity source-uids target-uids, in matching order.
  // Both lists ascend (the view is in UID order, new UIDs are handed out in it), so sets keep the pairing.
  std::string from_set = imap::SequenceSet::from_numbers(copied->from).to_string();
  std::string to_set = imap::SequenceSet::from_numbers(copied->to).to_string();
  std::string code = "COPYUID " + std::to_string(copied->uidvalidity) + " " + from_set + " " + to_set;
  if (!move) co_return ok("COPY completed", code);
  // RFC 6851 §4.3: COPYUID in an untagged OK before the EXPUNGE responses.
  session.out().status("*", imap::Status::Ok, code, "moved");
  co_return ok("MOVE completed");
}

}  // namespace

net::Task<Result<Reply>> cmd_copy(Session& session, imap::Command& command) {
  co_return co_await copy_or_move(session, command, false);
}

// RFC 6851.
net::Task<Result<Reply>> cmd_move(Session& session, imap::Command& command) {
  co_return co_await copy_or_move(session, command, true);
}

}  // namespace mf::server
