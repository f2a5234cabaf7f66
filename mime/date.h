// A message's Date: header (RFC 5322 §3.3, with the obsolete zone names of
// §4.3 and two-digit years): "Tue, 20 Aug 2002 17:32:06 +0100". Exact where
// GMime's g_mime_utils_header_decode_date guesses: an unreadable date is an
// error, so retention falls back to INTERNALDATE instead of a made-up time.
#pragma once

#include "core/civil_time.h"
#include "core/error.h"

#include <string_view>

namespace mf::mime {

[[nodiscard]] Result<ZonedTime> parse_date(std::string_view text);

}  // namespace mf::mime
