#include "mime/message.h"

#include "mime/gmime.h"
#include "mime/transfer_encoding.h"

#include <cstdint>
#include <optional>

namespace mf::mime {
namespace {

using detail::Owned;

std::string text_or_empty(const char* s) { return s ? s : ""; }

std::string type_of(GMimeObject* object) {
  GMimeContentType* type = g_mime_object_get_content_type(object);
  if (!type) return "text/plain";  // RFC 2045 §5.2: the default
  char* text = g_mime_content_type_get_mime_type(type);
  std::string out = lower(text_or_empty(text));
  g_free(text);
  return out;
}

// Whether base64 data follows a '=' (GMime 3.2.13 stops decoding at the
// first '=', gmime#150, and the rest of such a body would be lost).
bool more_after_padding(std::string_view encoded) {
  auto eq = encoded.find('=');
  if (eq == std::string_view::npos) return false;
  for (std::size_t i = eq; i < encoded.size(); ++i)
    if (base64_value(static_cast<unsigned char>(encoded[i])) >= 0) return true;
  return false;
}

std::string raw_content(GMimePart* part) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  GMimeStream* stream = content ? g_mime_data_wrapper_get_stream(content) : nullptr;
  if (!stream) return {};
  g_mime_stream_reset(stream);
  std::string out;
  char buffer[8192];
  for (ssize_t n; (n = g_mime_stream_read(stream, buffer, sizeof buffer)) > 0;) out.append(buffer, static_cast<std::size_t>(n));
  g_mime_stream_reset(stream);
  return out;
}

// The text of a base64 text part that GMime would cut short, decoded here
// and converted from its charset to UTF-8; nullopt when GMime reads it whole.
std::optional<std::string> text_gmime_would_cut(GMimePart* part) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (!content || g_mime_data_wrapper_get_encoding(content) != GMIME_CONTENT_ENCODING_BASE64) return std::nullopt;
  std::string encoded = raw_content(part);
  if (!more_after_padding(encoded)) return std::nullopt;
  std::string bytes = decode_base64(encoded);
  const char* charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
  char* text = nullptr;
  if (charset) {
    iconv_t cd = g_mime_iconv_open("UTF-8", g_mime_charset_iconv_name(charset));
    if (cd != reinterpret_cast<iconv_t>(-1)) {
      text = g_mime_iconv_strndup(cd, bytes.data(), bytes.size());
      g_mime_iconv_close(cd);
    }
  }
  if (!text) text = g_mime_utils_decode_8bit(detail::parser_options(), bytes.data(), bytes.size());  // a guess, as GMime's own
  std::string out = text_or_empty(text);
  g_free(text);
  return out;
}

class Walker {
 public:
  Walker(Message& out, const ReadLimits& limits) : out_(out), limits_(limits) {}

  void visit(GMimeObject* object, int depth) {
    if (!object) return;
    if (depth > limits_.depth) {
      out_.truncated = true;
      return;
    }
    if (GMIME_IS_MULTIPART(object)) {
      auto* multipart = GMIME_MULTIPART(object);
      for (int i = 0, n = g_mime_multipart_get_count(multipart); i < n; ++i)
        visit(g_mime_multipart_get_part(multipart, i), depth + 1);
    } else if (GMIME_IS_MESSAGE_PART(object)) {  // message/rfc822: an attachment whose text counts too
      out_.attachments.push_back({text_or_empty(g_mime_object_get_content_disposition_parameter(object, "filename")),
                                  type_of(object), 0, {}});
      if (GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object)))
        visit(g_mime_message_get_mime_part(inner), depth + 1);
    } else if (GMIME_IS_PART(object)) {
      leaf(GMIME_PART(object));
    }
  }

 private:
  void leaf(GMimePart* part) {
    std::string type = type_of(GMIME_OBJECT(part));
    const char* filename = g_mime_part_get_filename(part);
    if (GMIME_IS_TEXT_PART(part) && !filename && !g_mime_part_is_attachment(part)) {
      if (auto whole = text_gmime_would_cut(part)) {
        add_text(std::move(type), std::move(*whole));
        return;
      }
      char* text = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
      add_text(std::move(type), text_or_empty(text));
      g_free(text);
      return;
    }
    Attachment a{text_or_empty(filename), std::move(type), 0, {}};
    if (limits_.attachment_bytes > 0) {  // decoded once: its size is what it holds
      a.data = decoded(part);
      a.size = a.data.size();
      if (a.size > limits_.attachment_bytes) std::string().swap(a.data);
    } else {
      a.size = decoded_size(part);
    }
    out_.attachments.push_back(std::move(a));
  }

  void add_text(std::string type, std::string text) {
    std::size_t room = limits_.text_bytes - std::min(limits_.text_bytes, text_bytes_);
    if (text.size() > room) {
      text.resize(room);
      out_.truncated = true;
    }
    text_bytes_ += text.size();
    out_.text_parts.push_back({std::move(type), std::move(text)});
  }

  static std::string decoded(GMimePart* part) {
    GMimeDataWrapper* content = g_mime_part_get_content(part);
    if (!content) return {};
    if (g_mime_data_wrapper_get_encoding(content) == GMIME_CONTENT_ENCODING_BASE64) {  // gmime#150, as for text
      std::string encoded = raw_content(part);
      if (more_after_padding(encoded)) return decode_base64(encoded);
    }
    Owned<GMimeStream> memory(g_mime_stream_mem_new());
    g_mime_data_wrapper_write_to_stream(content, memory.get());
    GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(memory.get()));
    return bytes ? std::string(reinterpret_cast<const char*>(bytes->data), bytes->len) : std::string();
  }

  static std::size_t decoded_size(GMimePart* part) {
    GMimeDataWrapper* content = g_mime_part_get_content(part);
    if (!content) return 0;
    Owned<GMimeStream> counter(g_mime_stream_null_new());
    g_mime_data_wrapper_write_to_stream(content, counter.get());
    return GMIME_STREAM_NULL(counter.get())->written;
  }

  Message& out_;
  const ReadLimits& limits_;
  std::size_t text_bytes_ = 0;
};

void take_addresses(GMimeMessage* message, GMimeAddressType type, std::vector<Address>& out) {
  detail::append_addresses(g_mime_message_get_addresses(message, type), out);
}

}  // namespace

Result<Message> parse_message(std::string_view raw, const ReadLimits& limits) {
  GMimeParserOptions* options = detail::parser_options();
  Owned<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  Owned<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
  Owned<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), options));
  if (!message) return make_error(Errc::Corrupt, "not a message: MIME parser found no header section");
  Message out;
  out.subject = text_or_empty(g_mime_message_get_subject(message.get()));
  out.message_id = text_or_empty(g_mime_message_get_message_id(message.get()));
  take_addresses(message.get(), GMIME_ADDRESS_TYPE_FROM, out.from);
  take_addresses(message.get(), GMIME_ADDRESS_TYPE_TO, out.to);
  take_addresses(message.get(), GMIME_ADDRESS_TYPE_CC, out.cc);
  take_addresses(message.get(), GMIME_ADDRESS_TYPE_BCC, out.bcc);
  Walker(out, limits).visit(g_mime_message_get_mime_part(message.get()), 0);
  return out;
}

}  // namespace mf::mime
