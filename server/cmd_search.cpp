#include "server/commands.h"

#include "server/search_keys.h"

namespace mf::server {

// RFC 3501 §6.4.4 (the IMAP4rev1 SEARCH answer; IMAP4rev2's ESEARCH comes
// with IMAP4rev2). UID SEARCH answers UIDs (§6.4.8).
net::Task<Result<Reply>> cmd_search(Session& session, imap::Command& command) {
  auto key = parse_search(command.args);
  if (!key && key.error().code == Errc::Usage) co_return no(key.error().message, "BADCHARSET (US-ASCII UTF-8)");
  if (!key) co_return bad(key.error().message);
  auto& view = session.selected();
  bool bytes = needs_bytes(*key);
  std::string found;
  SearchSubject subject;
  subject.max_seq = view.count();
  subject.max_uid = view.count() ? view.at(view.count()).record.uid : 0;
  for (std::uint32_t seq = 1; seq <= view.count(); ++seq) {
    const auto& m = view.at(seq);
    if (m.expunged) continue;
    std::string message;
    if (bytes) {
      auto read = co_await session.store([&](store::Mailstore& s) { return s.read(m.record.sha256); });
      if (!read && read.error().code == Errc::NotFound) continue;  // expunged by another session meanwhile
      if (!read) co_return no(read.error());
      message = std::move(*read);
    }
    subject.seq = seq;
    subject.record = &m.record;
    subject.bytes = &message;
    subject.recent = view.is_recent(seq);
    if (matches(*key, subject)) found += " " + std::to_string(command.uid ? m.record.uid : seq);
  }
  session.out().untagged("SEARCH" + found);
  co_return ok("SEARCH completed");
}

}  // namespace mf::server
