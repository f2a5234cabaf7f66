// SMTP and LMTP commands as a server reads them (RFC 5321 §4.1, RFC 2033),
// and the reply lines it writes. No I/O: a line in, a command out.
#pragma once

#include "core/error.h"

#include <string>
#include <string_view>
#include <vector>

namespace mf::smtp {

struct Command {
  std::string verb;      // upper case: "LHLO", "MAIL", "RCPT", "DATA", ...
  std::string argument;  // the rest of the line, as sent
};

// One command line without its CRLF. Errc::Protocol for a line that is not
// "VERB [argument]" of printable US-ASCII.
[[nodiscard]] Result<Command> parse_command(std::string_view line);

struct Path {
  std::string address;  // "user@domain", or empty for the null reverse-path "<>"
  std::vector<std::string> parameters;  // "SIZE=1234", "BODY=8BITMIME", ... as sent
};

// "FROM:<addr> params" (MAIL) or "TO:<addr> params" (RCPT), keyword given
// without the colon. The address is checked for the basic form of RFC 5321
// §4.1.2 (local@domain, or a bare local part for RCPT); Errc::Protocol names what is wrong.
[[nodiscard]] Result<Path> parse_path(std::string_view argument, std::string_view keyword, bool allow_empty);

// "250 2.1.0 text\r\n", or the lines of a multi-line reply ("250-a", "250 b").
std::string reply(int code, std::string_view text);
std::string reply_lines(int code, const std::vector<std::string>& lines);

}  // namespace mf::smtp
