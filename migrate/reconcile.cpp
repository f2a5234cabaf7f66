#include "migrate/reconcile.h"

#include "core/sha256.h"
#include "source/message_info.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <ctime>
#include <map>
#include <set>

namespace mf::migrate {

namespace {

// A target message at or above the floor that no copied message claims.
struct OnTarget {
  std::uint32_t uid = 0;
  std::string sha256;
  std::string blind_sha256;
  bool taken = false;
};

net::Task<Result<std::vector<OnTarget>>> unclaimed_on_target(imapclient::Client& target, const std::string& mailbox,
                                                             std::uint32_t floor,
                                                             const std::set<std::uint32_t>& claimed, bool blind) {
  std::vector<OnTarget> out;
  MF_CO_TRY(box, co_await target.select(mailbox, true));  // a fresh look: EXAMINE again
  if (box.exists == 0 || floor >= box.uidnext) co_return out;
  MF_CO_CHECK(co_await target.uid_fetch(imap::SequenceSet::range(std::max(floor, 1u), imap::SequenceSet::kStar),
                                        "(UID BODY.PEEK[])", [&](imap::FetchData& f) -> Result<void> {
                                          const auto* body = f.section("BODY[]");
                                          if (f.uid && body && *f.uid >= floor && !claimed.count(*f.uid))
                                            out.push_back(OnTarget{
                                                *f.uid, to_hex(sha256(body->data.text)),
                                                blind ? source::rewrite_blind_hash(body->data.text) : std::string()});
                                          return {};
                                        }));
  co_return out;
}

// Moves pending messages found on the target to found (by their hash, or
// for messages a server may rewrite by their rewrite-blind hash); the rest
// stay in pending.
void match(std::vector<PendingMessage>& pending, std::vector<OnTarget>& on_target, Reconciled& found) {
  auto take = [&](const PendingMessage& p, auto same) {
    for (auto& t : on_target)
      if (!t.taken && same(t)) {
        t.taken = true;
        found.found.push_back(CopiedMessage{p.source_uid, p.sha256, p.size, t.uid});
        if (t.sha256 != p.sha256) found.altered.push_back(p.source_uid);
        return true;
      }
    return false;
  };
  // Exact matches first: a blind match must not take another message's exact one.
  for (auto blind : {false, true}) {
    std::vector<PendingMessage> left;
    for (auto& p : pending) {
      bool matched = blind ? !p.blind_sha256.empty() &&
                                 take(p, [&](const OnTarget& t) { return t.blind_sha256 == p.blind_sha256; })
                           : take(p, [&](const OnTarget& t) { return t.sha256 == p.sha256; });
      if (!matched) left.push_back(std::move(p));
    }
    pending = std::move(left);
  }
}

net::Task<void> sleep_for(std::chrono::milliseconds delay) {
  net::asio::steady_timer timer(co_await net::asio::this_coro::executor, delay);
  co_await timer.async_wait(net::asio::as_tuple(net::asio::use_awaitable));
}

}  // namespace

net::Task<Result<Reconciled>> reconcile_pending(imapclient::Client& target, const std::string& target_mailbox,
                                                bool target_exists, StateStore& state, std::int64_t folder_id,
                                                std::chrono::seconds settle) {
  MF_CO_TRY(pending, state.pending(folder_id));
  Reconciled found;
  if (pending.empty()) co_return found;
  if (target_exists) {
    MF_CO_TRY(recorded_validity, state.target_uidvalidity(folder_id));
    MF_CO_TRY(claimed, state.claimed_target_uids(folder_id));
    MF_CO_TRY(box, co_await target.select(target_mailbox, true));
    std::uint32_t floor = std::min_element(pending.begin(), pending.end(), [](auto& a, auto& b) {
                            return a.target_floor < b.target_floor;
                          })->target_floor;
    // Another UIDVALIDITY makes recorded UIDs meaningless: look at everything.
    if (!recorded_validity || *recorded_validity != box.uidvalidity) {
      floor = 1;
      claimed.clear();
    }
    bool blind = std::any_of(pending.begin(), pending.end(), [](auto& p) { return !p.blind_sha256.empty(); });
    MF_CO_TRY(on_target, co_await unclaimed_on_target(target, target_mailbox, floor, claimed, blind));
    match(pending, on_target, found);
    if (!pending.empty()) {
      // Give a killed run's last APPEND time to land before copying its messages again.
      std::int64_t newest = 0;
      for (const auto& p : pending) newest = std::max(newest, p.since);
      auto waited = std::chrono::seconds(std::time(nullptr) - newest);
      if (waited < settle) {
        co_await sleep_for(settle - waited);
        for (const auto& f : found.found) claimed.insert(f.target_uid);
        MF_CO_TRY(later, co_await unclaimed_on_target(target, target_mailbox, floor, claimed, blind));
        match(pending, later, found);
      }
    }
  }
  std::vector<std::uint32_t> unmatched;
  for (const auto& p : pending) unmatched.push_back(p.source_uid);
  MF_CO_CHECK(state.record_copied(folder_id, found.found));
  MF_CO_CHECK(state.drop_pending(folder_id, unmatched));
  co_return found;
}

}  // namespace mf::migrate
