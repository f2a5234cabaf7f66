// A message as retention, holds and purge look at it: its catalog row, its
// placements, its head read on first need. Not for other modules.
#pragma once

#include "archive/archive.h"
#include "mime/headers.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mf::archive {

struct Archive::MessageView {
  std::int64_t seq = 0, size = 0, date = 0, retain_until = 0, ingested = 0;
  std::string sha256;
  struct Where {
    std::string account, folder;
    std::int64_t internaldate = 0;
  };
  std::vector<Where> placements;
  std::optional<mime::Headers> headers;  // read on first need
};

}  // namespace mf::archive
