// The MIME structure of a message as search needs it (RFC 2045-2049): decoded
// header fields, the text parts converted to UTF-8, and the names of the
// attachments. Read by GMime, which is lenient the way mail in the wild
// needs; the archive keeps the raw bytes, this only reads them.
#pragma once

#include "core/error.h"
#include "mime/headers.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mf::mime {

struct TextPart {
  std::string content_type;  // "text/plain", "text/html", ... (lower case)
  std::string text;          // decoded (transfer encoding, then charset to UTF-8)
};

struct Attachment {
  std::string filename;      // decoded (RFC 2231 / RFC 2047); empty when the part names none
  std::string content_type;  // lower case
  std::size_t size = 0;      // decoded bytes
  std::string data;          // the decoded bytes, when ReadLimits::attachment_bytes asked for them and they fit
};

struct Message {
  std::string subject;     // decoded to UTF-8 (RFC 2047)
  std::string message_id;  // without the angle brackets
  std::vector<Address> from, to, cc, bcc;
  std::vector<TextPart> text_parts;  // in the order of the tree, attached messages' included
  std::vector<Attachment> attachments;
  bool truncated = false;  // text beyond ReadLimits::text_bytes, or parts nested deeper than ReadLimits::depth
};

struct ReadLimits {
  std::size_t text_bytes = 4 << 20;  // of decoded text over all parts
  int depth = 32;                    // of nested multiparts and attached messages
  std::size_t attachment_bytes = 0;  // keep each attachment's decoded bytes up to this size (0: none)
};

// Errc::Corrupt when the bytes are not a message at all (GMime gives up).
[[nodiscard]] Result<Message> parse_message(std::string_view raw, const ReadLimits& limits = {});

}  // namespace mf::mime
