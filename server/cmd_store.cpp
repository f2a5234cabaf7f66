#include "server/commands.h"

#include "server/flags.h"


namespace mf::server {

// RFC 9051 §6.4.6: FLAGS, +FLAGS, -FLAGS, each perhaps .SILENT; the flags
// as a list or as atoms. Each named message's FETCH FLAGS follows unless
// silent (with its UID for UID STORE, §6.4.9).
net::Task<Result<Reply>> cmd_store(Session& session, imap::Command& command) {
  if (command.args.size() < 3 || !command.args[1].is_atom())
    co_return bad("STORE takes a sequence set, an item and flags");
  MF_CO_TRY_OR_BAD(named, session.selected().named(command.args[0], command.uid));
  std::string item = imap::to_upper(command.args[1].text);
  bool silent = item.size() > 7 && item.substr(item.size() - 7) == ".SILENT";
  if (silent) item.resize(item.size() - 7);
  store::FlagChange change;
  if (item == "FLAGS") change = store::FlagChange::Replace;
  else if (item == "+FLAGS") change = store::FlagChange::Add;
  else if (item == "-FLAGS") change = store::FlagChange::Remove;
  else co_return bad("STORE takes FLAGS, +FLAGS or -FLAGS");
  std::vector<imap::Value> values(command.args.begin() + 2, command.args.end());
  if (values.size() == 1 && values[0].is_list()) values = values[0].items;
  MF_CO_TRY_OR_BAD(flags, flags_from(values));
  auto& view = session.selected();
  if (view.read_only()) co_return no("the mailbox is read-only", "READ-ONLY");
  std::vector<std::uint32_t> seqs, uids;
  for (auto seq : named) {
    if (view.at(seq).expunged) continue;  // gone meanwhile: nothing to change, the EXPUNGE follows
    seqs.push_back(seq);
    uids.push_back(view.at(seq).record.uid);
  }
  std::int64_t id = view.info().id;
  auto changed = co_await session.store([&](store::Mailstore& s) {
    return s.store(id, uids, change, flags);
  });
  if (!changed) co_return no(changed.error());
  // The new flags may hold keywords other sessions set meanwhile, and ours:
  // a keyword new to this session changes FLAGS, which go first (RFC 9051 §7.3.5).
  bool new_keywords = view.learn_keywords(flags);
  if (view.apply(*changed) || new_keywords) session.announce_flags();
  for (auto seq : seqs) {
    const auto& record = view.at(seq).record;
    if (silent) continue;
    session.out().begin_untagged().raw(std::to_string(seq) + " FETCH (");
    if (command.uid) session.out().raw("UID " + std::to_string(record.uid) + " ");
    session.out().raw("FLAGS ").flag_list(view.flags_of(seq)).raw(")").end();
  }
  co_return ok("STORE completed");
}

}  // namespace mf::server
