// A compliance export (docs/formats/export.md): the chosen messages byte for
// byte as archived, a manifest, and the proof that each is in the archive: a
// checkpoint of the chain with the root of the message tree, each message's
// RFC 9162 inclusion proof to it, SHA-256 sums of every file and, with a
// key, an Ed25519 signature over those sums and over the checkpoint.
#pragma once

#include "archive/archive.h"
#include "core/error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mf::compliance {

enum class Format { Zip, EmlDir, Mbox };

struct ExportRequest {
  std::string out;  // the zip file or directory to make; must not exist
  Format format = Format::Zip;
  std::string case_name, query, user;
  std::string key_file;                // Ed25519 private key (PEM); empty: unsigned
  std::vector<std::int64_t> messages;  // archive numbers
};

struct ExportResult {
  std::uint64_t messages = 0, bytes = 0;
  archive::Archive::Checkpoint checkpoint;
  std::vector<std::int64_t> gone;  // chosen but purged meanwhile: not exported
};

// Takes a checkpoint of the archive (an event in its chain), then writes the
// export; nothing is left under `out` unless the whole export is there.
[[nodiscard]] Result<ExportResult> export_messages(archive::Archive& archive, const ExportRequest& request);

const char* format_name(Format format);

}  // namespace mf::compliance
