// SHA-256 over bytes (OpenSSL underneath), as raw digest or lower-case hex.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace mf {

using Digest = std::array<std::uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view bytes);
  Digest finish();

 private:
  void* ctx_;  // EVP_MD_CTX, kept opaque so OpenSSL headers stay out of ours
};

Digest sha256(std::string_view bytes);
std::string to_hex(const Digest& digest);

}  // namespace mf
