#include "server/commands.h"

namespace mf::server {
namespace {

// One quota root per user, named "" (RFC 9208 §3.2: a root may cover every
// mailbox), with one resource, STORAGE: the sizes of all messages in units
// of 1024 octets (§5.1), used rounded up.
struct Usage {
  std::uint64_t used = 0, quota = 0;  // bytes; quota 0: none
};

void write_quota(Session& session, const Usage& u) {
  session.out().untagged("QUOTA \"\" (STORAGE " + std::to_string((u.used + 1023) / 1024) + " " +
                         std::to_string(u.quota / 1024) + ")");
}

net::Task<Result<Usage>> usage_of(Session& session) {
  co_return co_await session.store([](store::Mailstore& s) -> Result<Usage> {
    MF_TRY(used, s.storage_used());
    MF_TRY(quota, s.quota());
    return Usage{used, quota};
  });
}

}  // namespace

// RFC 9208 §4.1.1.
net::Task<Result<Reply>> cmd_getquota(Session& session, imap::Command& command) {
  if (command.args.size() != 1 || !command.args[0].is_astring()) co_return bad("GETQUOTA takes a quota root");
  auto usage = co_await usage_of(session);
  if (!usage) co_return no(usage.error());
  if (!command.args[0].text.empty() || usage->quota == 0) co_return no("no such quota root", "NONEXISTENT");
  write_quota(session, *usage);
  co_return ok("GETQUOTA completed");
}

// RFC 9208 §4.1.2: the roots of a mailbox (none when the user has no quota) and their quotas.
net::Task<Result<Reply>> cmd_getquotaroot(Session& session, imap::Command& command) {
  if (command.args.size() != 1) co_return bad("GETQUOTAROOT takes a mailbox name");
  MF_CO_TRY_MAILBOX(name, command.args[0]);
  auto usage = co_await session.store([&](store::Mailstore& s) -> Result<Usage> {
    MF_CHECK(s.mailbox(name));
    MF_TRY(used, s.storage_used());
    MF_TRY(quota, s.quota());
    return Usage{used, quota};
  });
  if (!usage) co_return no(usage.error());
  session.out().begin_untagged().raw("QUOTAROOT ").astring(session.mailbox_to_wire(name)).raw(usage->quota ? " \"\"" : "").end();
  if (usage->quota) write_quota(session, *usage);
  co_return ok("GETQUOTAROOT completed");
}

// RFC 9208 §4.1.3 lets a server keep SETQUOTA to its administrators: here
// quotas are set with `mailferry serve user quota`.
net::Task<Result<Reply>> cmd_setquota(Session& session, imap::Command& command) {
  co_return no("quotas are set by the administrator", "NOPERM");
}

}  // namespace mf::server
