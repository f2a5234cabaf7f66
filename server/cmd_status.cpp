#include "server/commands.h"

#include "imap/value.h"

namespace mf::server {

// RFC 9051 §6.3.11. DELETED and SIZE are IMAP4rev2's (§6.3.11), RECENT
// IMAP4rev1's: the messages no session has claimed yet (RFC 3501 §2.3.2).
// DELETED-STORAGE is QUOTA=RES-STORAGE's (RFC 9208): what expunging the
// \Deleted messages would give back.
net::Task<Result<Reply>> cmd_status(Session& session, imap::Command& command) {
  if (command.args.size() != 2 || !command.args[1].is_list() || command.args[1].items.empty())
    co_return bad("STATUS takes a mailbox name and a list of items");
  MF_CO_TRY_MAILBOX(name, command.args[0]);
  static const char* kItems[] = {"MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "RECENT", "DELETED", "SIZE",
                                 "DELETED-STORAGE"};
  std::vector<std::string> items;
  for (const auto& item : command.args[1].items) {
    bool known = false;
    for (const char* k : kItems)
      if (item.is_atom(k)) items.push_back(k), known = true;
    if (!known) co_return bad("unknown STATUS item " + item.display());
  }
  auto found = co_await session.store([&](store::Mailstore& s)
                                          -> Result<std::pair<store::MailboxInfo, store::MailboxCounts>> {
    MF_TRY(info, s.mailbox(name));
    MF_TRY(counts, s.counts(info));
    return std::pair{std::move(info), counts};
  });
  if (!found) co_return no(found.error());
  const auto& [info, counts] = *found;
  std::string out;
  for (const auto& item : items) {
    std::uint64_t value = item == "MESSAGES"      ? counts.messages
                          : item == "UIDNEXT"     ? info.uidnext
                          : item == "UIDVALIDITY" ? info.uidvalidity
                          : item == "UNSEEN"      ? counts.unseen
                          : item == "DELETED"     ? counts.deleted
                          : item == "SIZE"        ? counts.size
                          : item == "RECENT"      ? counts.recent
                          : item == "DELETED-STORAGE" ? (counts.deleted_size + 1023) / 1024  // RFC 9208: KiB
                                                  : 0;
    out += (out.empty() ? "" : " ") + item + " " + std::to_string(value);
  }
  session.out().begin_untagged().raw("STATUS ").astring(session.mailbox_to_wire(name)).raw(" (" + out + ")").end();
  co_return ok("STATUS completed");
}

}  // namespace mf::server
