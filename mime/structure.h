// A message's MIME tree as byte ranges of its raw bytes (RFC 2045, RFC 2046
// §5.1.1 boundaries), with each part's Content-* fields as written: what
// an IMAP server needs for BODYSTRUCTURE and BODY[1.2.MIME]. Exact where
// parse_message (GMime, decoding for search) is lenient: sizes and lines
// are counted on the bytes as stored. Never fails: a missing boundary ends
// the part at the end of its parent, as Dovecot does.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mf::mime {

using Parameters = std::vector<std::pair<std::string, std::string>>;  // names as written, values unquoted

struct ContentFields {
  std::string type = "text", subtype = "plain";  // as written; the defaults of RFC 2045 §5.2
  Parameters parameters;                          // of Content-Type
  bool has_content_type = false;
  std::string id, description, encoding, md5;     // Content-ID, -Description, -Transfer-Encoding, -MD5 (empty: none)
  std::string disposition;                        // Content-Disposition's type (empty: none)
  Parameters disposition_parameters;
  std::string language, location;                 // Content-Language, Content-Location as written
};

struct Part {
  std::size_t header_begin = 0, body_begin = 0, end = 0;  // offsets in the message
  std::size_t body_lines = 0;                             // line ends in the body
  ContentFields fields;
  std::vector<Part> children;      // multipart/*
  std::unique_ptr<Part> message;   // message/rfc822: the message it holds

  bool is_multipart() const;
  bool is_message() const { return message != nullptr; }
  std::size_t body_size() const { return end - body_begin; }
};

// The tree of a whole message (its top part spans all of it).
Part parse_structure(std::string_view message);

// The part a section's part numbers name ({1, 2} for "1.2", RFC 9051 §6.4.5),
// or null when there is none; no numbers: the root. A message's numbers
// index its body (its parts, or the body itself as part 1); past a
// message/rfc822 part they index the message it holds.
const Part* find_part(const Part& root, const std::vector<unsigned>& numbers);

// Reads "name=value; name2="quoted"" after a field's first token; comments skipped.
Parameters parse_parameters(std::string_view text);

}  // namespace mf::mime
