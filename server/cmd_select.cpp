#include "server/commands.h"

namespace mf::server {
namespace {

constexpr const char* kSystemFlags = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";

net::Task<Result<Reply>> open_mailbox(Session& session, imap::Command& command, bool read_only) {
  if (command.args.size() != 1) co_return bad(command.name + " takes a mailbox name");
  // RFC 9051 §6.3.2: a SELECT first closes the selected mailbox, without expunging.
  session.deselect();
  MF_CO_TRY_OR_BAD(name, session.mailbox_from_wire(command.args[0]));
  struct Opened {
    store::MailboxInfo info;
    std::vector<store::MessageRecord> messages;
    std::vector<std::string> keywords;
  };
  auto opened = co_await session.store([&](store::Mailstore& s) -> Result<Opened> {
    MF_TRY(info, s.mailbox(name));
    MF_TRY(messages, s.messages(info.id));
    MF_TRY(keywords, s.keywords(info.id));
    return Opened{std::move(info), std::move(messages), std::move(keywords)};
  });
  if (!opened) co_return no(opened.error());
  std::string flags = kSystemFlags;
  for (const auto& k : opened->keywords) flags += " " + k;
  std::uint32_t first_unseen = 0;
  for (std::size_t i = 0; i < opened->messages.size() && !first_unseen; ++i)
    if (!store::has_flag(opened->messages[i].flags, "\\Seen")) first_unseen = static_cast<std::uint32_t>(i + 1);
  auto& out = session.out();
  // RFC 9051 §6.3.2 (and RFC 3501 §6.3.1 for RECENT and UNSEEN).
  out.untagged("FLAGS (" + flags + ")");
  out.untagged(std::to_string(opened->messages.size()) + " EXISTS");
  out.untagged("0 RECENT");
  if (first_unseen) out.status("*", imap::Status::Ok, "UNSEEN " + std::to_string(first_unseen), "first unseen");
  out.status("*", imap::Status::Ok, "UIDVALIDITY " + std::to_string(opened->info.uidvalidity), "UIDs valid");
  out.status("*", imap::Status::Ok, "UIDNEXT " + std::to_string(opened->info.uidnext), "predicted next UID");
  // "\*": any new keyword may be set (RFC 9051 §7.1).
  out.status("*", imap::Status::Ok, read_only ? "PERMANENTFLAGS ()" : "PERMANENTFLAGS (" + flags + " \\*)",
             read_only ? "read-only" : "flags that are kept");
  session.select(SelectedView(std::move(opened->info), std::move(opened->messages), read_only));
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
