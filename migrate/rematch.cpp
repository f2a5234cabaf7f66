#include "migrate/rematch.h"

#include "core/sha256.h"

#include <map>

namespace mf::migrate {

net::Task<Result<std::uint32_t>> rematch_source(source::MailSource& source, std::uint32_t exists, StateStore& state,
                                                std::int64_t folder_id, std::uint32_t new_uidvalidity) {
  MF_CO_TRY(copied, state.copied(folder_id));
  std::multimap<std::string, std::uint32_t> at_source;  // sha256 -> new UID
  if (exists > 0 && !copied.empty()) {
    MF_CO_CHECK(co_await source.fetch({}, [&](source::SourceMessage& m) -> Result<void> {
      at_source.emplace(to_hex(sha256(m.body)), m.uid);
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
