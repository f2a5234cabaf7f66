// Builds server responses in wire format (RFC 9051 §7), the server's side of
// imap/response.h: what this writes, parse_response reads back the same
// (tests/unit/imap/response_writer_test.cpp holds it to that). Strings are
// quoted or literals, whichever their bytes allow (RFC 9051 §4.3); a
// literal carries the bytes it is given (the server keeps NUL out of
// them, server/binary_content.h, and sends BINARY content with NUL as a literal8).
// Response text is one line: CR, LF and NUL in it become spaces, so
// nothing a client or a stored message holds can end a response early.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mf::imap {

enum class Status;

class ResponseWriter {
 public:
  // "TAG OK [CODE] text": tag "*" for an untagged status; code without brackets, may be empty.
  ResponseWriter& status(std::string_view tag, Status status, std::string_view code, std::string_view text);
  // "+ text" (RFC 9051 §7.5).
  ResponseWriter& continuation(std::string_view text);
  // "* " and data that is the caller's own syntax (numbers, atoms), then CRLF.
  ResponseWriter& untagged(std::string_view data);
  // Piece by piece: begin_untagged(), then atoms, strings, lists, then end().
  ResponseWriter& begin_untagged();
  ResponseWriter& raw(std::string_view syntax);  // the caller's own syntax, no space added
  ResponseWriter& space();
  ResponseWriter& string(std::string_view bytes);   // quoted or literal
  ResponseWriter& nstring(const std::string* bytes);  // NIL for null
  ResponseWriter& astring(std::string_view bytes);  // atom when it can be one
  ResponseWriter& literal(std::string_view bytes);
  ResponseWriter& literal8(std::string_view bytes);  // "~{n}": RFC 3516 §4.2, for BINARY content with NUL
  ResponseWriter& flag_list(const std::vector<std::string>& flags);
  ResponseWriter& end();  // CRLF

  std::string& buffer() { return out_; }
  std::size_t size() const { return out_.size(); }
  void clear() { out_.clear(); }

 private:
  std::string out_;
};

// Response text made safe for one line (CR, LF, NUL as spaces), at most 400 bytes.
std::string response_text(std::string_view text);

}  // namespace mf::imap
