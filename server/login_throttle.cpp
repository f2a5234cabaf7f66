#include "server/login_throttle.h"

#include <boost/asio/ip/address.hpp>

#include <algorithm>

namespace mf::server {
namespace {

constexpr auto kWindow = std::chrono::minutes(15);
constexpr auto kFirst = std::chrono::milliseconds(500);
constexpr unsigned kMaxDoublings = 4;  // 0.5 s * 2^4 = 8 s
constexpr std::size_t kMaxUserKey = 64;  // store::check_user_name's longest: bounds the memory too

}  // namespace

std::string LoginThrottle::address_key(std::string_view peer) {
  std::string host(peer.substr(0, peer.rfind(':')));
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(host, ec);
  if (ec || !address.is_v6()) return host;
  auto bytes = address.to_v6().to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return boost::asio::ip::address_v6(bytes).to_string() + "/64";
}

unsigned LoginThrottle::failures(const Counts& counts, std::string_view key, Clock::time_point now) {
  auto it = counts.find(key);
  if (it == counts.end() || now - it->second.last >= kWindow) return 0;
  return it->second.failures;
}

void LoginThrottle::add_failure(Counts& counts, std::string key, Clock::time_point now) {
  if (counts.size() >= kMaxEntries && !counts.count(key)) {
    std::erase_if(counts, [&](const auto& entry) { return now - entry.second.last >= kWindow; });
    if (counts.size() >= kMaxEntries)  // all recent: the one quiet longest goes
      counts.erase(std::min_element(counts.begin(), counts.end(), [](const auto& a, const auto& b) {
        return a.second.last < b.second.last;
      }));
  }
  Count& count = counts[std::move(key)];
  if (now - count.last >= kWindow) count.failures = 0;
  ++count.failures;
  count.last = now;
}

std::chrono::milliseconds LoginThrottle::delay(std::string_view peer, std::string_view user,
                                               Clock::time_point now) const {
  unsigned n = std::max(failures(by_address_, address_key(peer), now), failures(by_user_, user, now));
  if (n == 0) return std::chrono::milliseconds(0);
  return kFirst * (1u << std::min(n - 1, kMaxDoublings));
}

void LoginThrottle::failed(std::string_view peer, std::string_view user, Clock::time_point now) {
  add_failure(by_address_, address_key(peer), now);
  if (user.size() <= kMaxUserKey) add_failure(by_user_, std::string(user), now);  // longer is no user name
}

void LoginThrottle::succeeded(std::string_view peer, std::string_view user) {
  if (auto it = by_address_.find(address_key(peer)); it != by_address_.end()) by_address_.erase(it);
  if (auto it = by_user_.find(user); it != by_user_.end()) by_user_.erase(it);
}

}  // namespace mf::server
