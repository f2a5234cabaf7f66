#include "imap/response_writer.h"

#include "imap/response.h"
#include "imap/writer.h"

namespace mf::imap {

std::string response_text(std::string_view text) {
  // RFC 3501 TEXT-CHAR is 7-bit: our messages' "§" is spelt out, other 8-bit bytes become '?'.
  std::string out;
  for (std::size_t i = 0; i < text.size() && out.size() < 400; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xa7) {
      out += "section ";
      ++i;
    } else if (c == '\r' || c == '\n' || c == '\0') {
      out += ' ';
    } else {
      out += c >= 0x80 ? '?' : static_cast<char>(c);
    }
  }
  return out;
}

ResponseWriter& ResponseWriter::status(std::string_view tag, Status status, std::string_view code,
                                       std::string_view text) {
  out_.append(tag).append(" ").append(status_name(status));
  if (!code.empty()) out_.append(" [").append(response_text(code)).append("]");
  // RFC 9051 §9 resp-text: text is 1*TEXT-CHAR, so a response always has some.
  out_.append(" ").append(text.empty() ? std::string("done") : response_text(text));
  return end();
}

ResponseWriter& ResponseWriter::continuation(std::string_view text) {
  out_.append("+ ").append(response_text(text));
  return end();
}

ResponseWriter& ResponseWriter::untagged(std::string_view data) {
  out_.append("* ").append(data);
  return end();
}

ResponseWriter& ResponseWriter::begin_untagged() {
  out_.append("* ");
  return *this;
}

ResponseWriter& ResponseWriter::raw(std::string_view syntax) {
  out_.append(syntax);
  return *this;
}

ResponseWriter& ResponseWriter::space() {
  out_ += ' ';
  return *this;
}

ResponseWriter& ResponseWriter::string(std::string_view bytes) {
  if (is_quotable(bytes)) {
    out_.append(quote(bytes));
    return *this;
  }
  return literal(bytes);
}

ResponseWriter& ResponseWriter::nstring(const std::string* bytes) {
  if (!bytes) {
    out_.append("NIL");
    return *this;
  }
  return string(*bytes);
}

ResponseWriter& ResponseWriter::astring(std::string_view bytes) {
  // NIL as an atom would read back as NIL, not as the string "NIL".
  if (is_atom_text(bytes) && !iequals(bytes, "NIL")) {
    out_.append(bytes);
    return *this;
  }
  return string(bytes);
}

ResponseWriter& ResponseWriter::literal(std::string_view bytes) {
  out_.append("{").append(std::to_string(bytes.size())).append("}\r\n").append(bytes);
  return *this;
}

ResponseWriter& ResponseWriter::literal8(std::string_view bytes) {
  out_.append("~{").append(std::to_string(bytes.size())).append("}\r\n").append(bytes);
  return *this;
}

ResponseWriter& ResponseWriter::flag_list(const std::vector<std::string>& flags) {
  out_ += '(';
  for (std::size_t i = 0; i < flags.size(); ++i) {
    if (i) out_ += ' ';
    out_.append(flags[i]);
  }
  out_ += ')';
  return *this;
}

ResponseWriter& ResponseWriter::end() {
  out_.append("\r\n");
  return *this;
}

}  // namespace mf::imap
