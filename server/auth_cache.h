// Logins that passed Argon2id lately, so a client that logs in again and
// again (a phone polling, imaptest's stress mode) costs one hash, not tens
// of milliseconds each time (Dovecot's auth_cache does the same). Holds no
// password: per user, SHA-256 over a random per-process key, the user and
// the password, compared in constant time; an entry lasts 15 minutes. A
// failed login is never cached. Used on the I/O thread only.
#pragma once

#include "core/sha256.h"

#include <chrono>
#include <map>
#include <string>

namespace mf::server {

class AuthCache {
 public:
  AuthCache();
  bool recalls(const std::string& user, const std::string& password) const;
  void remember(const std::string& user, const std::string& password);
  // Forgets every login when the users file was read again (a changed or deleted password).
  void follow(unsigned users_generation) {
    if (users_generation != generation_) entries_.clear();
    generation_ = users_generation;
  }

 private:
  Digest digest(const std::string& user, const std::string& password) const;
  struct Entry {
    Digest digest;
    std::chrono::steady_clock::time_point until;
  };
  std::string key_;
  std::map<std::string, Entry> entries_;
  unsigned generation_ = 0;
};

}  // namespace mf::server
