#include "search/attachment_text.h"

#include "core/filter_process.h"
#include "core/utf8.h"
#include "mime/headers.h"
#include "search/text.h"

#include <zip.h>

#include <array>
#include <memory>
#include <utility>

namespace mf::search {
namespace {

bool ends_with(const std::string& name, std::string_view suffix) {
  return name.size() >= suffix.size() && mime::lower(name.substr(name.size() - suffix.size())) == suffix;
}

// One member of a zip file held in memory, at most `limit` bytes of it (a zip bomb stops there).
Result<std::string> zip_member(const std::string& zip_bytes, const char* member, std::size_t limit) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(zip_bytes.data(), zip_bytes.size(), 0, &error);
  zip_t* zip = source ? zip_open_from_source(source, ZIP_RDONLY, &error) : nullptr;
  if (!zip) {
    std::string why = zip_error_strerror(&error);
    if (source) zip_source_free(source);
    zip_error_fini(&error);
    return make_error(Errc::Corrupt, "not a zip file: " + why);
  }
  zip_error_fini(&error);
  std::unique_ptr<zip_t, decltype(&zip_discard)> owned(zip, &zip_discard);
  zip_file_t* file = zip_fopen(zip, member, 0);
  if (!file) return make_error(Errc::Corrupt, std::string("no ") + member + " in it");
  std::string out;
  std::array<char, 65536> buffer;
  for (zip_int64_t n; (n = zip_fread(file, buffer.data(), buffer.size())) != 0;) {
    if (n < 0) {
      zip_fclose(file);
      return make_error(Errc::Corrupt, std::string(member) + " is damaged");
    }
    out.append(buffer.data(), static_cast<std::size_t>(n));
    if (out.size() > limit) break;
  }
  zip_fclose(file);
  return out;
}

// The text of an office XML document: the tags that end a paragraph or
// make a space become spaces first, then every tag goes and character
// references are decoded (html_to_text knows those of XML too).
std::string office_xml_text(std::string xml, std::initializer_list<std::string_view> breaks) {
  for (std::string_view tag : breaks)
    for (auto at = xml.find(tag); at != std::string::npos; at = xml.find(tag, at + 1 + tag.size())) xml.insert(at, " ");
  return html_to_text(xml);
}

// Text attachments: UTF-8 as it is, anything else read as ISO-8859-1 (every byte a character).
std::string as_utf8(const std::string& bytes) {
  if (valid_utf8(bytes)) return bytes;
  std::string out;
  for (unsigned char c : bytes) append_utf8(out, c);
  return out;
}

}  // namespace

AttachmentKind kind_of(const mime::Attachment& a) {
  const std::string& type = a.content_type;
  if (type == "application/pdf" || ends_with(a.filename, ".pdf")) return AttachmentKind::Pdf;
  if (type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document" ||
      ends_with(a.filename, ".docx"))
    return AttachmentKind::Docx;
  if (type == "application/vnd.oasis.opendocument.text" || ends_with(a.filename, ".odt")) return AttachmentKind::Odt;
  if (type == "text/plain" || type == "text/csv" || ends_with(a.filename, ".txt") || ends_with(a.filename, ".csv"))
    return AttachmentKind::Text;
  return AttachmentKind::None;
}

Result<std::string> attachment_text(const mime::Attachment& a) {
  if (a.data.size() < a.size) return make_error(Errc::Limit, "larger than " + std::to_string(kMaxAttachmentBytes >> 20) + " MB");
  switch (kind_of(a)) {
    case AttachmentKind::Pdf:
      // -q: no messages; -enc UTF-8; "-" "-": the PDF from stdin, the text to stdout.
      return run_filter({"pdftotext", "-q", "-enc", "UTF-8", "-", "-"}, a.data,
                        FilterLimits{std::chrono::seconds(20), 512u << 20, 8u << 20});
    case AttachmentKind::Docx: {
      MF_TRY(xml, zip_member(a.data, "word/document.xml", 64u << 20));
      return office_xml_text(std::move(xml), {"</w:p>", "<w:tab/>", "<w:br/>"});
    }
    case AttachmentKind::Odt: {
      MF_TRY(xml, zip_member(a.data, "content.xml", 64u << 20));
      return office_xml_text(std::move(xml), {"</text:p>", "</text:h>", "<text:s/>", "<text:tab/>", "<text:line-break/>"});
    }
    case AttachmentKind::Text: return as_utf8(a.data);
    case AttachmentKind::None: break;
  }
  return make_error(Errc::Usage, "not a kind of file whose text is read");
}

}  // namespace mf::search
