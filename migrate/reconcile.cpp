#include "migrate/reconcile.h"

#include "core/sha256.h"

#include <algorithm>
#include <map>

namespace mf::migrate {

net::Task<Result<std::uint32_t>> reconcile_pending(imapclient::Client& target, const std::string& target_mailbox,
                                                   bool target_exists, StateStore& state, std::int64_t folder_id) {
  MF_CO_TRY(pending, state.pending(folder_id));
  if (pending.empty()) co_return 0u;
  std::vector<std::uint32_t> unmatched;
  std::vector<CopiedMessage> found;
  if (target_exists) {
    MF_CO_TRY(box, co_await target.select(target_mailbox, true));
    MF_CO_TRY(recorded_validity, state.target_uidvalidity(folder_id));
    MF_CO_TRY(claimed, state.claimed_target_uids(folder_id));
    std::uint32_t floor = std::min_element(pending.begin(), pending.end(), [](auto& a, auto& b) {
                            return a.target_floor < b.target_floor;
                          })->target_floor;
    // Another UIDVALIDITY makes recorded UIDs meaningless: look at everything.
    if (!recorded_validity || *recorded_validity != box.uidvalidity) {
      floor = 1;
      claimed.clear();
    }
    std::multimap<std::string, std::uint32_t> on_target;  // sha256 -> target UID
    if (box.exists > 0 && floor < box.uidnext) {
      MF_CO_CHECK(co_await target.uid_fetch(imap::SequenceSet::range(std::max(floor, 1u), imap::SequenceSet::kStar),
                                            "(UID BODY.PEEK[])", [&](imap::FetchData& f) -> Result<void> {
                                              const auto* body = f.section("BODY[]");
                                              if (f.uid && body && *f.uid >= floor && !claimed.count(*f.uid))
                                                on_target.emplace(to_hex(sha256(body->data.text)), *f.uid);
                                              return {};
                                            }));
    }
    for (const auto& p : pending) {
      auto it = on_target.find(p.sha256);
      if (it == on_target.end()) {
        unmatched.push_back(p.source_uid);
        continue;
      }
      found.push_back(CopiedMessage{p.source_uid, p.sha256, p.size, it->second});
      on_target.erase(it);
    }
  } else {
    for (const auto& p : pending) unmatched.push_back(p.source_uid);
  }
  MF_CO_CHECK(state.record_copied(folder_id, found));
  MF_CO_CHECK(state.drop_pending(folder_id, unmatched));
  co_return static_cast<std::uint32_t>(found.size());
}

}  // namespace mf::migrate
