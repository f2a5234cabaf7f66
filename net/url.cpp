#include "net/url.h"

#include <charconv>

namespace mf::net {
namespace {

Result<std::string> percent_decode(std::string_view s, std::string_view whole) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    unsigned value = 0;
    if (i + 2 >= s.size() ||
        std::from_chars(s.data() + i + 1, s.data() + i + 3, value, 16).ptr != s.data() + i + 3)
      return make_error(Errc::Usage, "bad percent-encoding in URL", std::string(whole));
    out += static_cast<char>(value);
    i += 2;
  }
  return out;
}

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || ch == '-' || ch == '.' || ch == '_' || ch == '~' || ch == '+') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string ServerUrl::display() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return std::string(tls ? "imaps://" : "imap://") + percent_encode(user) + "@" + h + ":" + std::to_string(port);
}

namespace {

// "SCHEME://USER@HOST[:PORT]" and "SCHEMEs://..." (TLS from the first byte).
Result<ServerUrl> parse_url(std::string_view text, std::string_view scheme, std::uint16_t port, std::uint16_t tls_port) {
  auto bad = [&](std::string why) { return make_error(Errc::Usage, why, std::string(text)); };
  ServerUrl url;
  std::string_view rest;
  std::string plain = std::string(scheme) + "://", secure = std::string(scheme) + "s://";
  if (text.rfind(secure, 0) == 0) {
    url.tls = true;
    url.port = tls_port;
    rest = text.substr(secure.size());
  } else if (text.rfind(plain, 0) == 0) {
    url.port = port;
    rest = text.substr(plain.size());
  } else {
    return bad("URL must start with " + plain + " or " + secure);
  }
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    if (slash != rest.size() - 1) return bad("URL must not have a path");
    rest = rest.substr(0, slash);
  }
  auto at = rest.rfind('@');
  if (at == std::string_view::npos || at == 0) return bad("URL must name a user: imap://USER@HOST");
  MF_TRY(user, percent_decode(rest.substr(0, at), text));
  if (user.find(':') != std::string::npos) return bad("put no password in the URL; use a password file or the environment");
  url.user = std::move(user);
  std::string_view hostport = rest.substr(at + 1);
  std::string_view port_text;
  if (!hostport.empty() && hostport[0] == '[') {
    auto close = hostport.find(']');
    if (close == std::string_view::npos) return bad("unterminated [IPv6] host");
    url.host = std::string(hostport.substr(1, close - 1));
    std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("expected ':' after ]");
      port_text = after.substr(1);
    }
  } else {
    auto colon = hostport.rfind(':');
    url.host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) port_text = hostport.substr(colon + 1);
  }
  if (url.host.empty()) return bad("URL has no host");
  if (!port_text.empty()) {
    unsigned port = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || p != port_text.data() + port_text.size() || port == 0 || port > 65535)
      return bad("invalid port");
    url.port = static_cast<std::uint16_t>(port);
  }
  return url;
}

}  // namespace

Result<ServerUrl> parse_server_url(std::string_view text) { return parse_url(text, "imap", 143, 993); }
Result<ServerUrl> parse_pop3_url(std::string_view text) { return parse_url(text, "pop3", 110, 995); }

}  // namespace mf::net
