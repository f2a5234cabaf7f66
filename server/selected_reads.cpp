#include "server/selected_reads.h"

namespace mf::server {

net::Task<Result<std::vector<std::optional<std::string>>>> read_messages(Session& session,
                                                                         const std::vector<std::uint32_t>& seqs) {
  std::vector<std::string> hashes;
  for (auto seq : seqs) hashes.push_back(session.selected().at(seq).record.sha256);
  co_return co_await session.store([&](store::Mailstore& s) -> Result<std::vector<std::optional<std::string>>> {
    std::vector<std::optional<std::string>> out;
    for (const auto& h : hashes) {
      auto bytes = s.read(h);
      if (!bytes && bytes.error().code == Errc::NotFound) out.emplace_back();
      else if (!bytes) return bytes.error();
      else out.emplace_back(std::move(*bytes));
    }
    return out;
  });
}

net::Task<Result<std::vector<std::uint32_t>>> search_selected(Session& session, const SearchKey& key) {
  constexpr std::size_t kBatch = 32;  // messages read per trip to the lane
  auto& view = session.selected();
  std::vector<std::uint32_t> candidates, found;
  for (std::uint32_t seq = 1; seq <= view.count(); ++seq)
    if (!view.at(seq).expunged) candidates.push_back(seq);
  SearchSubject subject;
  subject.max_seq = view.count();
  subject.max_uid = view.count() ? view.at(view.count()).record.uid : 0;
  subject.saved = &view.saved();
  bool bytes = needs_bytes(key);
  static const std::string kNone;
  for (std::size_t start = 0; start < candidates.size(); start += kBatch) {
    std::vector<std::uint32_t> batch(candidates.begin() + start,
                                     candidates.begin() + std::min(candidates.size(), start + kBatch));
    std::vector<std::optional<std::string>> messages;
    if (bytes) {
      MF_CO_TRY(read, co_await read_messages(session, batch));
      messages = std::move(read);
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (bytes && !messages[i]) continue;  // expunged by another session meanwhile
      subject.seq = batch[i];
      subject.record = &view.at(batch[i]).record;
      subject.bytes = bytes ? &*messages[i] : &kNone;
      subject.recent = view.is_recent(batch[i]);
      if (matches(key, subject)) found.push_back(batch[i]);
    }
  }
  co_return found;
}

}  // namespace mf::server
