#include "server/expunge.h"

namespace mf::server {

net::Task<Result<void>> expunge_deleted(Session& session, const imap::SequenceSet* uids) {
  auto& view = session.selected();
  std::vector<std::uint32_t> doomed;
  std::uint32_t last_uid = view.count() ? view.at(view.count()).record.uid : 0;
  for (std::uint32_t seq = 1; seq <= view.count(); ++seq) {
    const auto& m = view.at(seq);
    if (m.expunged || !store::has_flag(m.record.flags, "\\Deleted")) continue;
    if (uids && !uids->contains(m.record.uid, last_uid)) continue;
    doomed.push_back(m.record.uid);
  }
  if (doomed.empty()) co_return Result<void>{};
  std::int64_t id = view.info().id;
  co_return co_await session.store([&](store::Mailstore& s) { return s.expunge(id, doomed); });
}

}  // namespace mf::server
