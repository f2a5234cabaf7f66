#include "server/commands.h"

namespace mf::server {

// RFC 9051 §6.3.4: a trailing delimiter is dropped (it announces children to come);
// missing parents are made; USE (RFC 6154 §3) names one special use.
net::Task<Result<Reply>> cmd_create(Session& session, imap::Command& command) {
  if (command.args.empty() || command.args.size() > 2) co_return bad("CREATE takes a mailbox name");
  MF_CO_TRY_MAILBOX(name, command.args[0]);
  while (!name.empty() && name.back() == '/') name.pop_back();
  std::string use;
  if (command.args.size() == 2) {
    const auto& opts = command.args[1];
    if (!opts.is_list() || opts.items.size() != 2 || !opts.items[0].is_atom("USE") || !opts.items[1].is_list() ||
        opts.items[1].items.size() != 1)
      co_return bad("CREATE's options are (USE (\\Role))");
    use = opts.items[1].items[0].text;
    static const char* kRoles[] = {"\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent", "\\Trash"};
    bool known = false;
    for (const char* role : kRoles)
      if (imap::iequals(use, role)) use = role, known = true;
    if (!known) co_return no("no such special use", "USEATTR");
  }
  if (name.empty() || name == "INBOX") co_return no("that mailbox exists", "ALREADYEXISTS");
  auto made = co_await session.store([&](store::Mailstore& s) { return s.create(name, use); });
  if (!made) co_return no(made.error());
  co_return ok("CREATE completed");
}

}  // namespace mf::server
