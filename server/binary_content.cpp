#include "server/binary_content.h"

#include "core/base64.h"
#include "imap/value.h"
#include "mime/transfer_encoding.h"

#include <algorithm>
#include <functional>
#include <optional>

namespace mf::server {
namespace {

enum class Encoding { Identity, Base64, QuotedPrintable, Unknown };

Encoding encoding_of(std::string_view name) {
  if (name.empty() || imap::iequals(name, "7bit") || imap::iequals(name, "8bit") || imap::iequals(name, "binary"))
    return Encoding::Identity;
  if (imap::iequals(name, "base64")) return Encoding::Base64;
  if (imap::iequals(name, "quoted-printable")) return Encoding::QuotedPrintable;
  return Encoding::Unknown;
}

// A header with its Content-Transfer-Encoding field (continuation lines
// too) replaced by one that says `encoding` (added when it had none).
std::string with_encoding(std::string_view header, std::string_view encoding) {
  std::string out;
  std::string field = "Content-Transfer-Encoding: " + std::string(encoding) + "\r\n";
  bool dropping = false, placed = false;
  std::size_t pos = 0;
  while (pos < header.size()) {
    std::size_t end = header.find('\n', pos);
    end = end == std::string_view::npos ? header.size() : end + 1;
    std::string_view line = header.substr(pos, end - pos);
    pos = end;
    bool blank = line == "\r\n" || line == "\n";
    if (blank && !placed) out.append(field), placed = true;
    if (!blank && line.front() != ' ' && line.front() != '\t') {
      constexpr std::string_view kName = "content-transfer-encoding";
      std::size_t colon = line.find(':');
      std::string_view name = line.substr(0, colon == std::string_view::npos ? 0 : colon);
      while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
      dropping = imap::iequals(name, kName);
      if (dropping && !placed) out.append(field), placed = true;
    }
    if (!dropping || blank) out.append(line);
  }
  if (!placed) out.append(field);
  return out;
}

struct Splice {
  std::size_t begin, end;  // what [begin, end) of the message becomes
  std::string bytes;
};

// Every single part under `part` (itself included), in message order.
void each_leaf(const mime::Part& part, const std::function<void(const mime::Part&)>& visit) {
  if (part.is_message()) return each_leaf(*part.message, visit);
  if (part.is_multipart()) {
    for (const auto& child : part.children) each_leaf(child, visit);
    return;
  }
  visit(part);
}

std::string spliced(std::string_view message, std::size_t begin, std::size_t end, const std::vector<Splice>& splices) {
  std::string out;
  std::size_t at = begin;
  for (const auto& s : splices) {
    if (s.begin < at || s.end > end) continue;
    out.append(message.substr(at, s.begin - at));
    out.append(s.bytes);
    at = s.end;
  }
  out.append(message.substr(at, end - at));
  return out;
}

}  // namespace

Result<std::string> decode_body(std::string_view body, std::string_view encoding) {
  switch (encoding_of(encoding)) {
    case Encoding::Identity: return std::string(body);
    case Encoding::Base64: return mime::decode_base64(body);
    case Encoding::QuotedPrintable: return mime::decode_quoted_printable(body);
    case Encoding::Unknown: break;
  }
  return make_error(Errc::Usage, "the content-transfer-encoding " + std::string(encoding.substr(0, 40)) +
                                           " is not known here");
}

Result<std::string> binary_section(std::string_view message, const mime::Part& tree,
                                   const std::vector<unsigned>& numbers) {
  const mime::Part* part = mime::find_part(tree, numbers);
  if (!part) return std::string();
  bool single = !part->is_multipart() && !part->is_message();
  if (single && !numbers.empty()) return decode_body(message.substr(part->body_begin, part->body_size()), part->fields.encoding);
  // A whole message or a composite part: each encoded part in it decoded in place.
  std::vector<Splice> splices;
  std::optional<Error> failed;
  each_leaf(*part, [&](const mime::Part& leaf) {
    if (encoding_of(leaf.fields.encoding) == Encoding::Identity) return;
    auto body = decode_body(message.substr(leaf.body_begin, leaf.body_size()), leaf.fields.encoding);
    if (!body) {
      if (!failed) failed = body.error();
      return;
    }
    std::string header = with_encoding(message.substr(leaf.header_begin, leaf.body_begin - leaf.header_begin), "binary");
    splices.push_back({leaf.header_begin, leaf.end, header + *body});
  });
  if (failed) return *failed;
  std::size_t begin = numbers.empty() ? 0 : part->body_begin;
  return spliced(message, begin, numbers.empty() ? message.size() : part->end, splices);
}

std::string without_nuls(std::string_view message, const mime::Part& tree) {
  std::vector<Splice> splices;
  each_leaf(tree, [&](const mime::Part& leaf) {
    std::string_view body = message.substr(leaf.body_begin, leaf.body_size());
    if (body.find('\0') == std::string_view::npos) return;
    std::string encoded = base64_encode(body), lines;
    for (std::size_t i = 0; i < encoded.size(); i += 76) lines.append(encoded.substr(i, 76)).append("\r\n");
    std::string header = with_encoding(message.substr(leaf.header_begin, leaf.body_begin - leaf.header_begin), "base64");
    splices.push_back({leaf.header_begin, leaf.end, header + lines});
  });
  std::string out = spliced(message, 0, message.size(), splices);
  std::replace(out.begin(), out.end(), '\0', '\x80');
  return out;
}

}  // namespace mf::server
