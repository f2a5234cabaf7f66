#include "smtp/command.h"

#include <algorithm>
#include <cctype>

namespace mf::smtp {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

// RFC 5321 §4.1.2 Mailbox, loosely: no spaces, controls or angle brackets;
// one '@' with text on both sides (or none, for a bare local part).
bool plausible_address(std::string_view a, bool local_only_ok) {
  if (a.empty() || a.size() > 254 || !printable(a)) return false;
  if (a.find_first_of(" <>\\\",;") != std::string_view::npos) return false;
  auto at = a.rfind('@');
  if (at == std::string_view::npos) return local_only_ok;
  return at > 0 && at + 1 < a.size() && a.find('@') == at;
}

}  // namespace

Result<Command> parse_command(std::string_view line) {
  if (line.size() > 1000 || !printable(line))  // RFC 5321 §4.5.3.1.4: 1000 octets a line
    return make_error(Errc::Protocol, "a command line is printable US-ASCII, at most 1000 octets");
  std::size_t space = line.find(' ');
  Command c;
  c.verb = upper(line.substr(0, space));
  if (c.verb.empty() || !std::all_of(c.verb.begin(), c.verb.end(), [](char ch) { return std::isalpha(static_cast<unsigned char>(ch)); }))
    return make_error(Errc::Protocol, "not a command");
  if (space != std::string_view::npos) c.argument = std::string(line.substr(space + 1));
  return c;
}

Result<Path> parse_path(std::string_view argument, std::string_view keyword, bool allow_empty) {
  std::string head = upper(argument.substr(0, keyword.size() + 1));
  if (head != std::string(keyword) + ":") return make_error(Errc::Protocol, "expected " + std::string(keyword) + ":<address>");
  std::string_view rest = argument.substr(keyword.size() + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);  // tolerated, as Postfix does
  if (rest.empty() || rest.front() != '<') return make_error(Errc::Protocol, "the address goes in angle brackets");
  std::size_t close = rest.find('>');
  if (close == std::string_view::npos) return make_error(Errc::Protocol, "no closing '>'");
  Path path;
  std::string_view address = rest.substr(1, close - 1);
  // A source route ("<@a,@b:user@c>", RFC 5321 §4.1.2, obsolete) is dropped.
  if (!address.empty() && address.front() == '@') {
    std::size_t colon = address.find(':');
    if (colon == std::string_view::npos) return make_error(Errc::Protocol, "a broken source route");
    address.remove_prefix(colon + 1);
  }
  if (address.empty()) {
    if (!allow_empty) return make_error(Errc::Protocol, "an empty address");
  } else if (!plausible_address(address, keyword == "TO")) {
    return make_error(Errc::Protocol, "not an address");
  }
  path.address = std::string(address);
  std::string_view params = rest.substr(close + 1);
  while (!params.empty()) {
    while (!params.empty() && params.front() == ' ') params.remove_prefix(1);
    std::size_t end = params.find(' ');
    if (!params.empty()) path.parameters.emplace_back(params.substr(0, end));
    params = end == std::string_view::npos ? std::string_view() : params.substr(end);
  }
  return path;
}

std::string reply(int code, std::string_view text) { return std::to_string(code) + " " + std::string(text) + "\r\n"; }

std::string reply_lines(int code, const std::vector<std::string>& lines) {
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i)
    out += std::to_string(code) + (i + 1 == lines.size() ? " " : "-") + lines[i] + "\r\n";
  return out;
}

}  // namespace mf::smtp
