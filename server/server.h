// mailferry serve: the listeners, the accept loops and the sessions of one
// process (docs/serve.md). One io_context thread runs every connection as
// a coroutine; the store and password checks run on lanes of their own.
#pragma once

#include "core/error.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mf::server {

struct ListenAddress {
  std::string host;  // an IP address: 127.0.0.1, ::1, 0.0.0.0
  std::uint16_t port = 0;
  std::string socket_path;  // else a Unix socket (LMTP only)
  bool implicit_tls = false;  // IMAPS (RFC 8314 §3.2)
};

struct ServeOptions {
  std::string data_dir;  // users file and mail/USER/ stores
  std::vector<ListenAddress> imap;
  std::vector<ListenAddress> lmtp;  // RFC 2033 delivery, for the MTA (no login: keep it on loopback)
  std::string tls_cert, tls_key;  // PEM files; STARTTLS is offered on plain listeners when set
  bool plaintext_login = false;
  std::uint64_t append_limit = 64ull << 20;
  std::uint64_t quota = 0;  // bytes per user where the user has none of their own (RFC 9208 STORAGE); 0: none
  unsigned lmtp_socket_mode = 0660;  // the Unix sockets' permissions (the MTA must be able to connect)
  // Called once every listener is bound, with the ports bound (port 0 in
  // the options picks one): IMAP listeners first, then LMTP.
  std::function<void(const std::vector<std::uint16_t>&)> on_listening;
};

// Parses "HOST:PORT" ("[::1]:143" for IPv6).
[[nodiscard]] Result<ListenAddress> parse_listen_address(std::string_view text, bool implicit_tls);

// Serves until SIGTERM or SIGINT (core/stop.h): then stops accepting, tells
// every session BYE and returns once they have ended.
[[nodiscard]] Result<void> serve(const ServeOptions& options);

}  // namespace mf::server
