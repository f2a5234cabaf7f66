// Modified UTF-7 for mailbox names (RFC 3501 §5.1.3). Both directions reject
// malformed input instead of guessing.
#pragma once

#include "core/error.h"

#include <string>
#include <string_view>

namespace mf::imap {

// UTF-8 -> modified UTF-7. Errc::Usage when the input is not valid UTF-8.
[[nodiscard]] Result<std::string> mutf7_encode(std::string_view utf8);
// Modified UTF-7 -> UTF-8. Errc::Protocol on malformed input (bad base64,
// unterminated shift, encoded printable ASCII, bad UTF-16).
[[nodiscard]] Result<std::string> mutf7_decode(std::string_view mutf7);

// A mailbox name (wire form) for an error message or a report: as UTF-8,
// control bytes escaped; one that does not decode as sent, escaped.
std::string mailbox_shown(std::string_view wire);

}  // namespace mf::imap
