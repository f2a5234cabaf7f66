// ENVELOPE, BODY and BODYSTRUCTURE (RFC 3501 §7.4.2, RFC 9051 §7.5.2) from
// a message's MIME tree (mime/structure.h): field values as written, sizes
// and lines as stored.
#pragma once

#include "imap/response_writer.h"
#include "mime/structure.h"

#include <string_view>

namespace mf::server {

// The envelope of the message whose header is [part.header_begin, part.body_begin) of message.
void write_envelope(imap::ResponseWriter& out, std::string_view message, const mime::Part& part);
// BODY (extended false) or BODYSTRUCTURE (extended true) of part.
void write_body_structure(imap::ResponseWriter& out, std::string_view message, const mime::Part& part, bool extended);

}  // namespace mf::server
