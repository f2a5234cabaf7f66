// What the archive's writing files share (chain.cpp, ingest.cpp,
// purge.cpp): a batch of frames on its way to durability, and the limits
// of storage. Not for other modules.
#pragma once

#include "archive/archive.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mf::archive {

namespace detail {

inline constexpr std::uint64_t kSegmentLimit = 256ull << 20;  // sealed when this full
inline constexpr int kZstdLevel = 3;
inline constexpr std::size_t kCompressEventsFrom = 256;  // bytes of JSON; shorter events are stored as they are

}  // namespace detail

// Frames written for one batch, applied to the catalog once they are durable.
struct Archive::Batch {
  struct Event {
    nlohmann::json event;
    std::string hash;
    std::uint64_t offset = 0;
  };
  std::vector<Event> events;
  Blobs blobs;
  // Begun before the batch's lookups when there are any (one lock for the
  // batch, not one per lookup), committed after the segment is synced.
  std::optional<sql::Transaction> tx;
};

}  // namespace mf::archive
