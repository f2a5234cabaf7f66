// Standard base64 (RFC 4648 §4), for SASL exchanges.
#pragma once

#include "core/error.h"

#include <string>
#include <string_view>

namespace mf {

std::string base64_encode(std::string_view bytes);
[[nodiscard]] Result<std::string> base64_decode(std::string_view text);

}  // namespace mf
