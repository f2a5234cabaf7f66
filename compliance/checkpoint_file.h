// Checkpoint files (docs/formats/archive.md): the chain's head and the root
// of the message tree as an auditor keeps them, Ed25519-signed when a key is
// given. `archive checkpoint` writes one, every export carries one, `archive
// verify --checkpoint` and `archive verify-export` read them.
#pragma once

#include "archive/archive.h"
#include "core/error.h"

#include <cstdint>
#include <string>

namespace mf::compliance {

// The file's JSON text, signed with the PEM private key in key_file when it is not empty.
[[nodiscard]] Result<std::string> checkpoint_file(const archive::Archive::Checkpoint& head, const std::string& key_file);

struct CheckpointFile {
  std::int64_t event = 0, messages = 0, time = 0;
  std::string hash, messages_root;  // messages_root: empty in files of format 1
  std::string archive;
  bool is_signed = false;   // and the signature matches
  std::string signature_fault;  // why the signature does not hold (empty: it does, or there is none and none was asked for)
};

// Reads a checkpoint file and checks its signature: against `pinned_key`
// (PEM) when it is not empty, which then must have signed it, else against
// the public key the file carries. Errc::Corrupt when it is no checkpoint file.
[[nodiscard]] Result<CheckpointFile> read_checkpoint_file(const std::string& text, const std::string& pinned_key);

}  // namespace mf::compliance
