// Checks an export with nothing but the export (and, to pin who signed it,
// a public key): every file against SHA256SUMS and its signature, the
// checkpoint's signature, every message against the manifest and, by its
// inclusion proof, against the root of the message tree in the checkpoint;
// manifest.csv and index.xml against manifest.json.
#pragma once

#include "core/error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mf::compliance {

struct ExportCheck {
  std::vector<std::string> faults;  // empty: the export is intact
  std::uint64_t messages = 0;       // checked
  bool is_signed = false;
  std::string case_name;
  std::int64_t event = 0;  // the checkpoint's event
};

// An error only when `path` is no export at all; anything wrong inside one is a fault.
[[nodiscard]] Result<ExportCheck> verify_export(const std::string& path, const std::string& pinned_public_key);

}  // namespace mf::compliance
