#include "server/commands.h"

namespace mf::server {
namespace {

net::Task<Result<Reply>> open_mailbox(Session& session, imap::Command& command, bool read_only) {
  // RFC 7162 §3.1.8: SELECT name (CONDSTORE) enables CONDSTORE.
  bool with_condstore = command.args.size() == 2 && command.args[1].is_list() && command.args[1].items.size() == 1 &&
                        command.args[1].items[0].is_atom("CONDSTORE");
  if (command.args.size() != 1 && !with_condstore) co_return bad(command.name + " takes a mailbox name [(CONDSTORE)]");
  // RFC 9051 §6.3.2: a SELECT first closes the selected mailbox, without
  // expunging, and says so (§7.1: CLOSED, before any answer about the new one).
  if (session.has_selected()) session.out().status("*", imap::Status::Ok, "CLOSED", "the previous mailbox is closed");
  session.deselect();
  MF_CO_TRY_MAILBOX(name, command.args[0]);
  struct Opened {
    store::MailboxInfo info;
    std::vector<store::MessageRecord> messages;
    std::vector<std::string> keywords;
    std::uint32_t recent_from = 0;
  };
  bool claims = !read_only && !session.rev2();
  auto opened = co_await session.store([&](store::Mailstore& s) -> Result<Opened> {
    MF_TRY(info, s.mailbox(name));
    // RFC 3501 §6.3.1: SELECT takes the \Recent messages; EXAMINE only looks
    // (§6.3.2); an IMAP4rev2 session has no \Recent (RFC 9051 Appendix E).
    std::uint32_t recent_from = claims ? 0 : info.first_recent_uid;
    if (claims) {
      MF_TRY(claimed, s.claim_recent(info.id));
      recent_from = claimed;
    }
    MF_TRY(messages, s.messages(info.id));
    MF_TRY(keywords, s.keywords(info.id));
    return Opened{std::move(info), std::move(messages), std::move(keywords), recent_from};
  });
  if (!opened) co_return no(opened.error());
  if (session.rev2()) opened->recent_from = SelectedView::kNoRecent;
  std::string special_use = opened->info.special_use;
  std::uint32_t first_unseen = 0;
  for (std::size_t i = 0; i < opened->messages.size() && !first_unseen; ++i)
    if (!store::has_flag(opened->messages[i].flags, "\\Seen")) first_unseen = static_cast<std::uint32_t>(i + 1);
  auto uidvalidity = opened->info.uidvalidity, uidnext = opened->info.uidnext;
  std::size_t exists = opened->messages.size();
  auto highestmodseq = opened->info.highestmodseq;
  if (with_condstore) session.enable_condstore();  // nothing is selected now: the HIGHESTMODSEQ below says it
  session.select(SelectedView(std::move(opened->info), std::move(opened->messages), read_only,
                              std::move(opened->keywords), opened->recent_from));
  auto& out = session.out();
  // RFC 9051 §6.3.2 (and RFC 3501 §6.3.1 for RECENT and UNSEEN).
  session.announce_flags();
  out.untagged(std::to_string(exists) + " EXISTS");
  if (!session.rev2()) out.untagged(std::to_string(session.selected().recent_count()) + " RECENT");
  if (first_unseen) out.status("*", imap::Status::Ok, "UNSEEN " + std::to_string(first_unseen), "first unseen");
  out.status("*", imap::Status::Ok, "UIDVALIDITY " + std::to_string(uidvalidity), "UIDs valid");
  out.status("*", imap::Status::Ok, "UIDNEXT " + std::to_string(uidnext), "predicted next UID");
  // RFC 7162 §3.1.2.1: every mailbox here keeps mod-sequences.
  out.status("*", imap::Status::Ok, "HIGHESTMODSEQ " + std::to_string(highestmodseq), "highest");
  // RFC 9051 §6.3.2: and the mailbox's LIST response (its name as the store has it).
  if (session.rev2())
    out.begin_untagged().raw("LIST (" + special_use + ") \"/\" ").astring(session.mailbox_to_wire(name)).end();
  co_return ok(command.name + " completed", read_only ? "READ-ONLY" : "READ-WRITE");
}

}  // namespace

net::Task<Result<Reply>> cmd_select(Session& session, imap::Command& command) {
  co_return co_await open_mailbox(session, command, false);
}

net::Task<Result<Reply>> cmd_examine(Session& session, imap::Command& command) {
  co_return co_await open_mailbox(session, command, true);
}

}  // namespace mf::server
