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

// A message's Date: header (RFC 5322 §3.3, with the obsolete zone names of
// §4.3 and two-digit years): "Tue, 20 Aug 2002 17:32:06 +0100".
[[nodiscard]] Result<DateTime> parse_message_date(std::string_view text);

}  // namespace mf::imap
