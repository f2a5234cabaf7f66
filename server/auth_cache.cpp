#include "server/auth_cache.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

namespace mf::server {
namespace {

constexpr std::chrono::minutes kLifetime{15};
constexpr std::size_t kMaxEntries = 100000;  // bounded: a flood of users cannot grow it further

}  // namespace

AuthCache::AuthCache() : key_(32, '\0') {
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key_.data()), static_cast<int>(key_.size())) != 1)
    key_.clear();  // no randomness: cache nothing (recalls() then always says no)
}

Digest AuthCache::digest(const std::string& user, const std::string& password) const {
  Sha256 h;
  h.update(key_);
  h.update(user);
  h.update(std::string_view("\0", 1));
  h.update(password);
  return h.finish();
}

bool AuthCache::recalls(const std::string& user, const std::string& password) const {
  if (key_.empty()) return false;
  auto it = entries_.find(user);
  if (it == entries_.end() || std::chrono::steady_clock::now() > it->second.until) return false;
  Digest d = digest(user, password);
  return CRYPTO_memcmp(d.data(), it->second.digest.data(), d.size()) == 0;
}

void AuthCache::remember(const std::string& user, const std::string& password) {
  if (key_.empty()) return;
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_[user] = Entry{digest(user, password), std::chrono::steady_clock::now() + kLifetime};
}

}  // namespace mf::server
