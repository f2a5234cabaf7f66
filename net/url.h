// Server addresses as users write them: imap://USER@HOST:PORT and
// imaps://USER@HOST:PORT (RFC 5092 style; the user is percent-encoded,
// IPv6 hosts are bracketed).
#pragma once

#include "core/error.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace mf::net {

struct ServerUrl {
  bool tls = false;  // imaps: TLS from the first byte
  std::string user;
  std::string host;
  std::uint16_t port = 143;

  // "imaps://alice@host:993" with the user re-encoded; never a password.
  std::string display() const;
};

[[nodiscard]] Result<ServerUrl> parse_server_url(std::string_view text);
// pop3://USER@HOST[:PORT] (110) and pop3s://... (995), for POP3 sources.
[[nodiscard]] Result<ServerUrl> parse_pop3_url(std::string_view text);

}  // namespace mf::net
