// A TCP (or, accepted by a server, Unix socket) connection with optional TLS (implicit or upgraded by
// STARTTLS), and a deadline on every operation. Coroutines on Asio; one
// Connection is used by one coroutine at a time (no internal locking).
#pragma once

#include "core/error.h"
#include "net/deflate.h"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mf::net {

namespace asio = boost::asio;
template <class T>
using Task = asio::awaitable<T>;

struct TlsOptions {
  bool verify = true;   // certificate chain and host name, against the system CAs
  std::string ca_file;  // extra trusted CA bundle (PEM), e.g. a private CA
};

// How a protocol client connects: the IMAP and POP3 clients share these.
struct ConnectOptions {
  TlsOptions tls;
  bool starttls = true;  // upgrade a plain connection when the server offers it (STARTTLS, STLS)
  std::chrono::milliseconds timeout{60000};
  std::string role;  // "source" or "target": named in every error of the connection
};

class Connection {
 public:
  // Resolves host, connects (trying each address), and with tls set does
  // the TLS handshake. Every step shares the timeout.
  static Task<Result<std::unique_ptr<Connection>>> connect(asio::any_io_executor executor, std::string host,
                                                           std::uint16_t port, bool tls, TlsOptions tls_options,
                                                           std::chrono::milliseconds timeout);

  // A connection a server accepted. server_tls: the server's context
  // (make_server_tls), used by start_tls() for implicit TLS and STARTTLS alike.
  static std::unique_ptr<Connection> accepted(asio::ip::tcp::socket socket,
                                              std::shared_ptr<asio::ssl::context> server_tls,
                                              std::chrono::milliseconds timeout);
  // A connection on a Unix socket (LMTP from the local MTA); its peer is "unix:" and the path.
  static std::unique_ptr<Connection> accepted(asio::local::stream_protocol::socket socket, const std::string& path,
                                              std::chrono::milliseconds timeout);

  // Upgrades a plain connection (after the protocol's STARTTLS exchange).
  Task<Result<void>> start_tls();
  // Reads at least one byte; Errc::Temp on EOF, reset or timeout.
  Task<Result<std::size_t>> read_some(char* buffer, std::size_t size);
  // Writes all buffers.
  Task<Result<void>> write(std::vector<std::string_view> buffers);
  void close();
  // Ends the read or write in flight (it fails as aborted); the connection stays usable.
  void cancel();
  // From now on both directions are deflated (after the protocol's COMPRESS
  // exchange; RFC 4978). Inside TLS when TLS is on.
  void start_compression();

  bool tls_active() const { return tls_active_; }
  bool compressed() const { return deflate_ != nullptr; }
  const std::string& peer() const { return peer_; }  // "host:port" for error messages
  // Names the connection's side in its errors: "target 127.0.0.1:993".
  void set_role(std::string_view role) { peer_ = std::string(role) + " " + peer_; }
  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }

 private:
  Connection(asio::any_io_executor executor, std::string host, std::string peer, TlsOptions tls_options,
             std::chrono::milliseconds timeout);
  using Socket = asio::generic::stream_protocol::socket;  // TCP or Unix
  Connection(Socket socket, std::string peer, std::chrono::milliseconds timeout);
  Task<Result<void>> handshake();
  Task<Result<void>> run_handshake(asio::ssl::stream_base::handshake_type side);  // under the deadline
  Task<Result<std::size_t>> read_raw(char* buffer, std::size_t size);
  Task<Result<void>> write_raw(std::vector<std::string_view> buffers);
  Error io_error(const boost::system::error_code& ec, std::string_view during) const;

  std::string host_;
  std::string peer_;
  TlsOptions tls_options_;
  std::chrono::milliseconds timeout_;
  Socket socket_;
  // Made at the handshake: loading the system CAs costs ~25 ms, which a
  // plain connection should not pay.
  std::shared_ptr<asio::ssl::context> ssl_context_;
  std::unique_ptr<asio::ssl::stream<Socket&>> tls_;
  bool tls_active_ = false;
  bool server_side_ = false;  // accepted: the TLS handshake is the server's
  std::unique_ptr<DeflateStreams> deflate_;
  std::string inflated_;  // decompressed bytes not yet returned by read_some
  std::size_t inflated_pos_ = 0;
};

// A server's TLS context: TLS 1.2 or later, the certificate chain and key
// from PEM files. Errc::Tls naming the file that cannot be used.
[[nodiscard]] Result<std::shared_ptr<asio::ssl::context>> make_server_tls(const std::string& cert_file,
                                                                         const std::string& key_file);

}  // namespace mf::net
