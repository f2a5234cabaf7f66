// Ed25519 signatures (OpenSSL) for archive checkpoints: sign with a private
// key in a PEM file, check with a public key in PEM form.
#pragma once

#include "core/error.h"

#include <string>
#include <string_view>

namespace mf {

struct Signed {
  std::string signature;   // base64
  std::string public_key;  // PEM (SubjectPublicKeyInfo)
};

[[nodiscard]] Result<Signed> sign_ed25519(const std::string& private_key_pem_file, std::string_view message);
// Errc::Corrupt when the signature does not match.
[[nodiscard]] Result<void> verify_ed25519(const std::string& public_key_pem, std::string_view message,
                                          const std::string& signature_base64);

}  // namespace mf
