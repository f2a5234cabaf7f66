// Content-transfer-encodings undone (RFC 2045 §6), leniently, as mail in
// the wild needs: the server's BINARY and search's text both read them.
#pragma once

#include <string>
#include <string_view>

namespace mf::mime {

// RFC 2045 §6.8: characters outside the alphabet are ignored; "=" ends a
// piece and a next one may follow (bodies of several padded pieces exist,
// which GMime 3.2.13 cuts at the first '=', gmime#150).
std::string decode_base64(std::string_view text);

// The value of a base64 character, -1 for any other.
int base64_value(unsigned char c);

// RFC 2045 §6.7: trailing white space of a line is not content (rule 3),
// "=" at its end is a soft line break (rule 5), "=XX" an octet (rule 1);
// an "=" that starts neither stays as it is (the robust reading §6.7 suggests).
std::string decode_quoted_printable(std::string_view text);

}  // namespace mf::mime
