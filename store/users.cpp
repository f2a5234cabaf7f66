#include "store/users.h"

#include "core/atomic_file.h"

#include <argon2.h>
#include <openssl/rand.h>

#include <array>
#include <cctype>

namespace mf::store {
namespace {

constexpr std::uint32_t kPasses = 2;
constexpr std::uint32_t kMemoryKiB = 19 * 1024;
constexpr std::uint32_t kLanes = 1;
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;

}  // namespace

Result<void> check_user_name(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 64 && name.front() != '.';
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-' && c != '+' && c != '@')
      ok = false;
  if (!ok)
    return make_error(Errc::Usage, "a user name is 1 to 64 of A-Z a-z 0-9 . _ - + @, not starting with a dot",
                      std::string(name));
  return {};
}

Result<std::string> hash_password(std::string_view password) {
  std::array<unsigned char, kSaltBytes> salt{};
  if (RAND_bytes(salt.data(), salt.size()) != 1) return make_error(Errc::Io, "no random bytes for a salt");
  std::string encoded(argon2_encodedlen(kPasses, kMemoryKiB, kLanes, kSaltBytes, kHashBytes, Argon2_id), '\0');
  int rc = argon2id_hash_encoded(kPasses, kMemoryKiB, kLanes, password.data(), password.size(), salt.data(),
                                 salt.size(), kHashBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) return make_error(Errc::Io, std::string("argon2: ") + argon2_error_message(rc));
  encoded.resize(encoded.find('\0'));
  return encoded;
}

Result<Users> Users::load(const std::string& path) {
  Users users;
  users.path_ = path;
  auto text = read_file(path);
  if (!text && text.error().code == Errc::NotFound) return users;
  if (!text) return text.error();
  std::size_t pos = 0, line_number = 0;
  while (pos < text->size()) {
    std::size_t end = text->find('\n', pos);
    if (end == std::string::npos) end = text->size();
    std::string_view line(text->data() + pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    std::size_t colon = line.find(':');
    std::string where = path + ":" + std::to_string(line_number);
    if (colon == std::string_view::npos || !check_user_name(line.substr(0, colon)) ||
        line.substr(colon + 1).rfind("$argon2id$", 0) != 0)
      return make_error(Errc::Corrupt, "not a \"name:$argon2id$...\" line", where);
    users.hashes_.emplace(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
  }
  return users;
}

Result<void> Users::add(std::string_view name, std::string_view password) {
  MF_CHECK(check_user_name(name));
  if (exists(name)) return make_error(Errc::Exists, "the user exists", std::string(name));
  MF_TRY(hash, hash_password(password));
  hashes_.emplace(std::string(name), std::move(hash));
  return {};
}

Result<void> Users::set_password(std::string_view name, std::string_view password) {
  auto it = hashes_.find(std::string(name));
  if (it == hashes_.end()) return make_error(Errc::NotFound, "no such user", std::string(name));
  MF_TRY(hash, hash_password(password));
  it->second = std::move(hash);
  return {};
}

Result<void> Users::remove(std::string_view name) {
  if (hashes_.erase(std::string(name)) == 0) return make_error(Errc::NotFound, "no such user", std::string(name));
  return {};
}

Result<void> Users::save() const {
  std::string text = "# mailferry serve users: name:Argon2id hash (mailferry serve user add|passwd|del)\n";
  for (const auto& [name, hash] : hashes_) text += name + ":" + hash + "\n";
  return write_file_atomically(path_, text);
}

std::vector<std::string> Users::names() const {
  std::vector<std::string> out;
  for (const auto& [name, hash] : hashes_) out.push_back(name);
  return out;
}

bool Users::verify(std::string_view name, std::string_view password) const {
  auto it = hashes_.find(std::string(name));
  // An unknown user costs the same as a known one: the timing tells nothing.
  static const std::string dummy = hash_password("").value();
  const std::string& encoded = it == hashes_.end() ? dummy : it->second;
  bool ok = argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
  return ok && it != hashes_.end();
}

}  // namespace mf::store
