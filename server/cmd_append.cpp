#include "server/commands.h"

#include "imap/date.h"
#include "server/flags.h"

#include <chrono>

namespace mf::server {
namespace {

// An APPEND's messages: (flags) "date" literal, repeated (RFC 3502 MULTIAPPEND).
Result<std::vector<store::NewMessage>> messages_of(const std::vector<imap::Value>& args) {
  std::vector<store::NewMessage> out;
  std::size_t i = 1;
  while (i < args.size()) {
    store::NewMessage m;
    if (args[i].is_list()) {
      MF_TRY(flags, flags_from(args[i].items));
      m.flags = std::move(flags);
      ++i;
    }
    if (i < args.size() && args[i].is_string() && !args[i].literal) {
      MF_TRY(date, imap::parse_date_time(args[i].text));
      m.internaldate = imap::format_date_time(date);
      ++i;
    }
    if (i >= args.size() || !args[i].is_string() || !args[i].literal)
      return make_error(Errc::Protocol, "APPEND takes [(flags)] [\"date\"] and the message as a literal");
    m.bytes = args[i].text;
    ++i;
    out.push_back(std::move(m));
  }
  if (out.empty()) return make_error(Errc::Protocol, "APPEND needs a message");
  return out;
}

}  // namespace

// RFC 9051 §6.3.12 with UIDPLUS (RFC 4315 §3) and MULTIAPPEND (RFC 3502):
// all messages or none, on disk (fsynced) before the OK.
net::Task<Result<Reply>> cmd_append(Session& session, imap::Command& command) {
  if (command.args.size() < 2) co_return bad("APPEND takes a mailbox name and a message");
  MF_CO_TRY_MAILBOX(name, command.args[0]);
  MF_CO_TRY_OR_BAD(messages, messages_of(command.args));
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  for (auto& m : messages) {
    if (m.bytes.empty()) co_return no("an empty message cannot be stored");
    if (m.internaldate.empty()) m.internaldate = imap::format_date_time(imap::DateTime{now.count(), 0});
  }
  auto stored = co_await session.store([&](store::Mailstore& s)
                                           -> Result<std::pair<std::uint32_t, std::vector<std::uint32_t>>> {
    MF_TRY(info, s.mailbox(name));
    MF_TRY(uids, s.append(info.id, messages));
    return std::pair{info.uidvalidity, std::move(uids)};
  });
  if (!stored && stored.error().code == Errc::NotFound) co_return no("no such mailbox", "TRYCREATE");
  if (!stored) co_return no(stored.error());
  auto uids = imap::SequenceSet::from_numbers(stored->second).to_string();
  co_return ok("APPEND completed", "APPENDUID " + std::to_string(stored->first) + " " + uids);
}

}  // namespace mf::server
