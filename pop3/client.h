// A POP3 client (RFC 1939, STLS from RFC 2595, AUTH PLAIN from RFC 5034)
// for old servers that speak nothing else: list messages with their UIDL
// and size, retrieve them whole. Coroutines on Asio, one command at a time.
#pragma once

#include "net/connection.h"
#include "net/url.h"

#include <memory>
#include <string>
#include <vector>

namespace mf::pop3 {

using net::Task;

struct Listing {
  std::uint32_t number = 0;  // the message number of this session
  std::string uidl;          // unique and stable across sessions (RFC 1939 §7)
  std::uint64_t size = 0;
};

class Client {
 public:
  // Connects, reads the greeting, and upgrades with STLS when asked and offered.
  static Task<Result<std::unique_ptr<Client>>> connect(net::asio::any_io_executor executor,
                                                       const net::ServerUrl& url,
                                                       const net::ConnectOptions& options);
  // AUTH PLAIN when offered, else USER/PASS. Errc::Auth when refused.
  Task<Result<void>> login(const std::string& user, const std::string& password);
  // UIDL and LIST together; Errc::Perm when the server has no UIDL.
  Task<Result<std::vector<Listing>>> list();
  // RETR: the message, dot-unstuffed, CRLF as sent.
  Task<Result<std::string>> retrieve(std::uint32_t number);
  Task<Result<void>> quit();
  const std::string& peer() const { return conn_->peer(); }

 private:
  explicit Client(std::unique_ptr<net::Connection> conn) : conn_(std::move(conn)) {}
  Task<Result<std::string>> read_line();
  // Sends a command (or nothing when empty) and reads its "+OK ..." line.
  Task<Result<std::string>> command(const std::string& line, const std::string& name);
  // The lines of a multi-line answer up to ".", dot-unstuffed, each ending CRLF.
  Task<Result<std::string>> read_multiline();
  Task<Result<std::vector<std::string>>> capabilities();

  std::unique_ptr<net::Connection> conn_;
  std::string buffer_;
  std::size_t pos_ = 0;
};

}  // namespace mf::pop3
