#include "server/body_structure.h"

#include "imap/value.h"
#include "mime/address_list.h"
#include "mime/headers.h"

#include <cctype>

namespace mf::server {
namespace {

std::string trimmed(std::string_view v) {
  std::size_t b = 0, e = v.size();
  while (b < e && std::isspace(static_cast<unsigned char>(v[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(v[e - 1]))) --e;
  return std::string(v.substr(b, e - b));
}

void nstring(imap::ResponseWriter& out, const std::string& text) {
  if (text.empty()) out.raw("NIL");
  else out.string(text);
}

void nstring_of(imap::ResponseWriter& out, const std::string& text, bool present) {
  if (present) out.string(text);
  else out.raw("NIL");
}

// "(name route mailbox host)..." or NIL when the field holds no address.
bool write_addresses(imap::ResponseWriter& out, const std::string& value) {
  auto addresses = mime::parse_envelope_addresses(value);
  if (addresses.empty()) return false;
  out.raw("(");
  for (const auto& a : addresses) {
    out.raw("(");
    nstring_of(out, a.name, a.has_name);
    out.space();
    nstring_of(out, a.route, a.has_route);
    out.space();
    nstring_of(out, a.mailbox, a.has_mailbox);
    out.space();
    nstring_of(out, a.host, a.has_host);
    out.raw(")");
  }
  out.raw(")");
  return true;
}

void parameters(imap::ResponseWriter& out, const mime::Parameters& params) {
  if (params.empty()) {
    out.raw("NIL");
    return;
  }
  out.raw("(");
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (i) out.space();
    out.string(params[i].first).space().string(params[i].second);
  }
  out.raw(")");
}

// body-ext-1part / body-ext-mpart after md5 or parameters: disposition, language, location.
void disposition_language_location(imap::ResponseWriter& out, const mime::ContentFields& f) {
  out.space();
  if (f.disposition.empty()) {
    out.raw("NIL");
  } else {
    out.raw("(").string(f.disposition).space();
    parameters(out, f.disposition_parameters);
    out.raw(")");
  }
  out.space();
  nstring(out, f.language);
  out.space();
  nstring(out, f.location);
}

bool iequal(std::string_view a, std::string_view b) { return imap::iequals(a, b); }

}  // namespace

void write_envelope(imap::ResponseWriter& out, std::string_view message, const mime::Part& part) {
  mime::Headers h(message.substr(part.header_begin, part.body_begin - part.header_begin));
  auto field = [&](const char* name) { return trimmed(h.value(name)); };
  out.raw("(");
  nstring(out, field("Date"));
  out.space();
  nstring(out, field("Subject"));
  std::string from = field("From");
  // RFC 3501 §7.4.2: an absent or empty Sender or Reply-To is the From.
  for (const char* name : {"From", "Sender", "Reply-To"}) {
    out.space();
    std::string value = field(name);
    if (!write_addresses(out, value) && !write_addresses(out, from)) out.raw("NIL");
  }
  for (const char* name : {"To", "Cc", "Bcc"}) {
    out.space();
    if (!write_addresses(out, field(name))) out.raw("NIL");
  }
  out.space();
  nstring(out, field("In-Reply-To"));
  out.space();
  nstring(out, field("Message-ID"));
  out.raw(")");
}

void write_body_structure(imap::ResponseWriter& out, std::string_view message, const mime::Part& part, bool extended) {
  const auto& f = part.fields;
  out.raw("(");
  if (part.is_multipart()) {
    if (part.children.empty()) {
      // RFC 9051 §9 body-type-mpart needs a part: an empty text one stands for the missing boundary's content.
      out.raw("(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0)");
    }
    for (const auto& child : part.children) write_body_structure(out, message, child, extended);
    out.space().string(f.subtype);
    if (extended) {
      out.space();
      parameters(out, f.parameters);
      disposition_language_location(out, f);
    }
    out.raw(")");
    return;
  }
  out.string(f.type).space().string(f.subtype).space();
  parameters(out, f.parameters);
  out.space();
  nstring(out, f.id);
  out.space();
  nstring(out, f.description);
  out.space().string(f.encoding.empty() ? std::string("7bit") : f.encoding);
  out.raw(" " + std::to_string(part.body_size()));
  if (part.is_message()) {
    out.space();
    write_envelope(out, message, *part.message);
    out.space();
    write_body_structure(out, message, *part.message, extended);
    out.raw(" " + std::to_string(part.body_lines));
  } else if (iequal(f.type, "text")) {
    out.raw(" " + std::to_string(part.body_lines));
  }
  if (extended) {
    out.space();
    nstring(out, f.md5);
    disposition_language_location(out, f);
  }
  out.raw(")");
}

}  // namespace mf::server
