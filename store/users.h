// The users of a server's data directory: DATA/users, one "name:hash" line
// per user, the hash Argon2id's encoded form ("$argon2id$v=19$m=...").
// The file is rewritten whole (temp file, fsync, rename), so a crash leaves
// the old or the new list. Names become directory names (DATA/mail/NAME):
// 1 to 64 of A-Z a-z 0-9 . _ - + @, not starting with a dot.
#pragma once

#include "core/error.h"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace mf::store {

class Users {
 public:
  // A missing file is no users.
  [[nodiscard]] static Result<Users> load(const std::string& path);

  // Errc::Exists when the user exists (add), Errc::NotFound when not (set_password, remove).
  [[nodiscard]] Result<void> add(std::string_view name, std::string_view password);
  [[nodiscard]] Result<void> set_password(std::string_view name, std::string_view password);
  [[nodiscard]] Result<void> remove(std::string_view name);
  [[nodiscard]] Result<void> save() const;

  bool exists(std::string_view name) const { return hashes_.count(std::string(name)) > 0; }
  // Whether password is the user's. Costs an Argon2id computation (tens of
  // milliseconds, by design) for a known user and an unknown one alike.
  bool verify(std::string_view name, std::string_view password) const;
  std::size_t size() const { return hashes_.size(); }
  std::vector<std::string> names() const;

 private:
  std::string path_;
  std::map<std::string, std::string> hashes_;
};

[[nodiscard]] Result<void> check_user_name(std::string_view name);
// Argon2id with a random salt: 19 MiB, 2 passes, 1 lane (OWASP's minimum for Argon2id).
[[nodiscard]] Result<std::string> hash_password(std::string_view password);

}  // namespace mf::store
