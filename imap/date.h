// INTERNALDATE (RFC 9051 §9 date-time: "dd-Mon-yyyy hh:mm:ss +zzzz").
#pragma once

#include "core/civil_time.h"
#include "core/error.h"

#include <string>
#include <string_view>

namespace mf::imap {

using DateTime = ZonedTime;

[[nodiscard]] Result<DateTime> parse_date_time(std::string_view text);
std::string format_date_time(const DateTime& dt);

}  // namespace mf::imap
