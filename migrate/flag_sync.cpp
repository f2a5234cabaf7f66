#include "migrate/flag_sync.h"

#include "source/flags.h"

namespace mf::migrate {

net::Task<Result<std::uint32_t>> sync_flags(imapclient::Client& target, const imapclient::SelectedMailbox& box,
                                            const std::map<std::uint32_t, std::vector<std::string>>& source_flags,
                                            const std::map<std::uint32_t, std::uint32_t>& pairs) {
  if (source_flags.empty() || pairs.empty() || box.exists == 0) co_return 0u;
  std::map<std::uint32_t, std::vector<std::string>> target_flags;
  MF_CO_CHECK(co_await target.uid_fetch(imap::SequenceSet::range(1, imap::SequenceSet::kStar), "(UID FLAGS)",
                                        [&](imap::FetchData& f) -> Result<void> {
                                          if (f.uid && f.flags) target_flags[*f.uid] = source::normalized_flags(*f.flags);
                                          return {};
                                        }));
  // One STORE per distinct flag list, for all the messages that want it.
  std::map<std::vector<std::string>, std::vector<std::uint32_t>> stores;
  for (const auto& [source_uid, flags] : source_flags) {
    auto pair = pairs.find(source_uid);
    if (pair == pairs.end()) continue;
    auto have = target_flags.find(pair->second);
    if (have == target_flags.end()) continue;  // gone from the target: verify reports it
    std::vector<std::string> want;
    for (const auto& flag : source::normalized_flags(flags))
      if (box.accepts_flag(flag)) want.push_back(flag);
    if (!source::same_flags(want, have->second)) stores[want].push_back(pair->second);
  }
  std::uint32_t changed = 0;
  for (const auto& [flags, uids] : stores) {
    auto store = target.new_command("UID STORE");
    store.raw(imap::SequenceSet::from_numbers(uids).to_string()).raw("FLAGS.SILENT").flag_list(flags);
    MF_CO_CHECK(co_await target.run(std::move(store)));
    changed += static_cast<std::uint32_t>(uids.size());
  }
  co_return changed;
}

}  // namespace mf::migrate
