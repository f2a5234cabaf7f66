#include "migrate/rematch.h"

#include "core/sha256.h"

#include <map>

namespace mf::migrate {

net::Task<Result<std::uint32_t>> rematch_source(imapclient::Client& source, std::uint32_t exists, StateStore& state,
                                                std::int64_t folder_id, std::uint32_t new_uidvalidity) {
  MF_CO_TRY(copied, state.copied(folder_id));
  std::multimap<std::string, std::uint32_t> at_source;  // sha256 -> new UID
  if (exists > 0 && !copied.empty()) {
    MF_CO_CHECK(co_await source.uid_fetch(imap::SequenceSet::range(1, imap::SequenceSet::kStar), "(UID BODY.PEEK[])",
                                          [&](imap::FetchData& f) -> Result<void> {
                                            const auto* body = f.section("BODY[]");
                                            if (f.uid && body) at_source.emplace(to_hex(sha256(body->data.text)), *f.uid);
                                            return {};
                                          }));
  }
  std::vector<CopiedMessage> found;
  for (auto& m : copied) {
    auto it = at_source.find(m.sha256);
    if (it == at_source.end()) continue;
    m.source_uid = it->second;
    at_source.erase(it);  // two identical messages need two source messages
    found.push_back(std::move(m));
  }
  MF_CO_CHECK(state.rebase(folder_id, new_uidvalidity, found));
  co_return static_cast<std::uint32_t>(found.size());
}

}  // namespace mf::migrate
