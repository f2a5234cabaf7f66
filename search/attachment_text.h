// The words inside attachments: PDF through poppler's pdftotext (a helper
// process under a time and memory limit, so one bad file never stops
// indexing), DOCX and ODT from their zip (libzip) and XML, text attachments
// as they are. What cannot be read is an error naming why; the indexer
// counts and lists it.
#pragma once

#include "core/error.h"
#include "mime/message.h"

#include <string>

namespace mf::search {

enum class AttachmentKind { None, Pdf, Docx, Odt, Text };

// By content type, else by the file name's extension (mail programs often send application/octet-stream).
AttachmentKind kind_of(const mime::Attachment& attachment);

// Its text (UTF-8). Errc::NotFound when pdftotext is not installed,
// Errc::Limit when it ran too long or too big, Errc::Corrupt when the file
// cannot be read.
[[nodiscard]] Result<std::string> attachment_text(const mime::Attachment& attachment);

// How large an attachment is still read (decoded bytes).
inline constexpr std::size_t kMaxAttachmentBytes = 32u << 20;

}  // namespace mf::search
