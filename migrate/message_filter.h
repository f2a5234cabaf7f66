// Which messages a pass takes (--since, --before, --max-size); migrate and
// verify apply the same filter, so a filtered migration verifies clean.
// Pure functions, no I/O.
#pragma once

#include "core/error.h"

#include <cstdint>
#include <optional>
#include <string_view>

namespace mf::migrate {

struct MessageFilter {
  std::optional<std::int64_t> since;   // INTERNALDATE at or after (seconds since 1970, UTC)
  std::optional<std::int64_t> before;  // INTERNALDATE before
  std::uint64_t max_size = 0;          // bytes; 0: any size

  bool active() const { return since || before || max_size; }
  bool by_date() const { return since || before; }
  // A message whose INTERNALDATE the server did not send passes the date tests.
  bool wanted(std::uint64_t size, std::optional<std::int64_t> internaldate) const;
};

// "2024-01-31" (midnight UTC) or "2024-01-31T12:00:00Z".
[[nodiscard]] Result<std::int64_t> parse_filter_date(std::string_view text);
// "1048576", "500K", "25M", "1G" (binary units).
[[nodiscard]] Result<std::uint64_t> parse_size(std::string_view text);

}  // namespace mf::migrate
