// Message content without and with a content-transfer-encoding, for the
// BINARY extension (RFC 3516, part of IMAP4rev2: RFC 9051 §6.4.5) and for
// the BODY answers of a message that holds NUL bytes. Pure: unit-tested
// without a session.
#pragma once

#include "core/error.h"
#include "mime/structure.h"

#include <string>
#include <string_view>
#include <vector>

namespace mf::server {

// A part's body with its content-transfer-encoding undone: base64 (RFC 2045
// §6.8, leniently: spaces and padded pieces inside, as mail has them),
// quoted-printable (§6.7), 7bit, 8bit and binary as they are. An encoding
// this server does not know: Errc::Usage (the answer's UNKNOWN-CTE).
[[nodiscard]] Result<std::string> decode_body(std::string_view body, std::string_view encoding);

// What BINARY[numbers] gives (RFC 3516 §4.2): the decoded body of a single
// part; for a multipart, a message/rfc822 part or the whole message (no
// numbers), its bytes with each encoded part in it decoded and marked
// "Content-Transfer-Encoding: binary". A part that is not there: empty.
[[nodiscard]] Result<std::string> binary_section(std::string_view message, const mime::Part& tree,
                                                 const std::vector<unsigned>& numbers);

// The message as BODY[...] answers give it when it holds NUL bytes, which
// an IMAP literal cannot carry (RFC 9051 §4.3): each part whose body holds
// one is sent base64-encoded (its Content-Transfer-Encoding says so) and
// any NUL left, in a header, becomes 0x80 (as Dovecot does). The store
// keeps the bytes as they came; BINARY gives them back.
std::string without_nuls(std::string_view message, const mime::Part& tree);

}  // namespace mf::server
