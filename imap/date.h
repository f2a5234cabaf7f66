// INTERNALDATE (RFC 9051 §9 date-time: "dd-Mon-yyyy hh:mm:ss +zzzz").
#pragma once

#include "core/error.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace mf::imap {

struct DateTime {
  std::int64_t epoch = 0;  // seconds since 1970-01-01 UTC
  int zone_minutes = 0;    // offset east of UTC as sent
};

[[nodiscard]] Result<DateTime> parse_date_time(std::string_view text);
std::string format_date_time(const DateTime& dt);

}  // namespace mf::imap
