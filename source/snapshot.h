#pragma once

#include <cstdint>

namespace mf::source {

// What a folder looked like at the start of its last complete pass: if the
// source still says the same (CONDSTORE's HIGHESTMODSEQ moves on every
// change, flags and expunges included), the folder needs no look at all.
struct FolderSnapshot {
  std::uint64_t highestmodseq = 0;
  std::uint32_t uidnext = 0;
  std::uint32_t messages = 0;

  bool operator==(const FolderSnapshot&) const = default;
};

}  // namespace mf::source
