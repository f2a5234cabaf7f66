#include "source/source.h"

#include <set>

namespace mf::source {

net::Task<Result<std::vector<imapclient::Mailbox>>> ImapSource::list() { co_return co_await client_.list(); }

net::Task<Result<imap::Namespace>> ImapSource::personal_namespace() {
  co_return co_await client_.personal_namespace();
}

net::Task<Result<std::vector<std::string>>> ImapSource::subscriptions() { co_return co_await client_.subscriptions(); }

// CONDSTORE (RFC 7162 §3.1): HIGHESTMODSEQ moves on every change in a folder.
net::Task<Result<MailSource::Snapshots>> ImapSource::snapshots(const std::vector<std::string>& folders) {
  Snapshots out;
  if (!client_.has_capability("CONDSTORE") || folders.empty()) co_return out;
  MF_CO_TRY(all, co_await client_.statuses(folders, "(MESSAGES UIDNEXT UIDVALIDITY HIGHESTMODSEQ)"));
  for (auto& [folder, status] : all) {
    if (!status.count("HIGHESTMODSEQ") || !status.count("UIDVALIDITY")) continue;  // e.g. NOMODSEQ
    out[folder] = {static_cast<std::uint32_t>(status["UIDVALIDITY"]),
                   FolderSnapshot{status["HIGHESTMODSEQ"], static_cast<std::uint32_t>(status["UIDNEXT"]),
                                  static_cast<std::uint32_t>(status["MESSAGES"])}};
  }
  co_return out;
}

net::Task<Result<SelectedFolder>> ImapSource::select(const std::string& folder) {
  MF_CO_TRY(selected, co_await client_.select(folder, true));
  co_return SelectedFolder{selected.uidvalidity, selected.exists};
}

net::Task<Result<void>> ImapSource::summaries(bool with_dates, const SummaryHandler& handler) {
  co_return co_await client_.uid_fetch(
      imap::SequenceSet::range(1, imap::SequenceSet::kStar),
      with_dates ? "(UID FLAGS RFC822.SIZE INTERNALDATE)" : "(UID FLAGS RFC822.SIZE)",
      [&](imap::FetchData& f) -> Result<void> {
        if (!f.uid) return {};  // an unsolicited flag update
        MessageSummary m{*f.uid, f.size.value_or(0), f.flags.value_or(std::vector<std::string>{}),
                         std::move(f.internaldate)};
        return handler(m);
      });
}

net::Task<Result<void>> ImapSource::fetch(const std::vector<std::uint32_t>& uids, const MessageHandler& handler) {
  auto set = uids.empty() ? imap::SequenceSet::range(1, imap::SequenceSet::kStar) : imap::SequenceSet::from_numbers(uids);
  const std::set<std::uint32_t> wanted(uids.begin(), uids.end());
  std::set<std::uint32_t> seen;
  co_return co_await client_.uid_fetch(set, "(UID FLAGS INTERNALDATE BODY.PEEK[])",
                                       [&](imap::FetchData& f) -> Result<void> {
                                         auto* body = f.section("BODY[]");
                                         if (!f.uid || !body) return {};  // an unsolicited flag update
                                         // A repeated or unrequested message is not handed on: each
                                         // source message is copied at most once per batch.
                                         if ((!wanted.empty() && !wanted.count(*f.uid)) || !seen.insert(*f.uid).second)
                                           return {};
                                         if (!body->data.is_string())
                                           return make_error(Errc::Protocol, "server sent NIL as the message body",
                                                             "UID " + std::to_string(*f.uid));
                                         SourceMessage m{*f.uid, f.flags.value_or(std::vector<std::string>{}),
                                                         f.internaldate.value_or(""), std::move(body->data.text),
                                                         std::move(f.invalid_flags)};
                                         return handler(m);
                                       });
}

Result<std::vector<std::uint32_t>> stable_uids(UidMap* state, const std::string& scope,
                                               const std::vector<std::string>& keys) {
  if (state) return state->local_uids(scope, keys);
  std::vector<std::uint32_t> uids;
  for (std::size_t i = 0; i < keys.size(); ++i) uids.push_back(static_cast<std::uint32_t>(i + 1));
  return uids;
}

net::Task<Result<void>> ImapSource::logout() { co_return co_await client_.logout(); }

}  // namespace mf::source
