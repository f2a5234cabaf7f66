#include "server/commands.h"

#include "server/flags.h"

#include <algorithm>
#include <optional>

namespace mf::server {

// RFC 9051 §6.4.6: FLAGS, +FLAGS, -FLAGS, each perhaps .SILENT; the flags
// as a list or as atoms. Each named message's FETCH FLAGS follows unless
// silent (with its UID for UID STORE, §6.4.9). RFC 7162 §3.1.3: the
// modifier (UNCHANGEDSINCE n) leaves a message changed after n as it is and
// names it in MODIFIED; once CONDSTORE is on, each FETCH carries MODSEQ, a
// silent STORE's too.
net::Task<Result<Reply>> cmd_store(Session& session, imap::Command& command) {
  std::optional<std::uint64_t> unchanged_since;
  if (command.args.size() >= 2 && command.args[1].is_list()) {
    const auto& m = command.args[1].items;
    if (m.size() != 2 || !m[0].is_atom("UNCHANGEDSINCE") || !m[1].number())
      co_return bad("the STORE modifier is (UNCHANGEDSINCE mod-sequence)");
    unchanged_since = *m[1].number();
    command.args.erase(command.args.begin() + 1);
    session.enable_condstore();
  }
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
  std::vector<std::uint32_t> modified;  // UIDs
  auto changed = co_await session.store([&](store::Mailstore& s) {
    return s.store(id, uids, change, flags, unchanged_since, &modified);
  });
  if (!changed) co_return no(changed.error());
  // The new flags may hold keywords other sessions set meanwhile, and ours:
  // a keyword new to this session changes FLAGS, which go first (RFC 9051 §7.3.5).
  bool new_keywords = view.learn_keywords(flags);
  if (view.apply(*changed) || new_keywords) session.announce_flags();
  std::vector<std::uint32_t> modified_numbers, changed_uids;
  for (const auto& c : *changed) changed_uids.push_back(c.uid);
  auto among = [](const std::vector<std::uint32_t>& v, std::uint32_t uid) { return std::find(v.begin(), v.end(), uid) != v.end(); };
  for (auto seq : seqs) {
    const auto& record = view.at(seq).record;
    if (among(modified, record.uid)) {
      modified_numbers.push_back(command.uid ? record.uid : seq);
      continue;
    }
    bool modseq = session.condstore();
    if (silent && !(modseq && among(changed_uids, record.uid))) continue;
    session.out().begin_untagged().raw(std::to_string(seq) + " FETCH (");
    if (command.uid) session.out().raw("UID " + std::to_string(record.uid) + (silent ? "" : " "));
    if (!silent) session.out().raw("FLAGS ").flag_list(view.flags_of(seq));
    if (modseq) session.out().raw((command.uid || !silent ? " " : "") + std::string("MODSEQ (") + std::to_string(record.modseq) + ")");
    session.out().raw(")").end();
  }
  if (!modified_numbers.empty())
    co_return ok("conditional STORE failed for some", "MODIFIED " + imap::SequenceSet::from_numbers(modified_numbers).to_string());
  co_return ok("STORE completed");
}

}  // namespace mf::server
