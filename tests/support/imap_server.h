// An IMAP server a test started on 127.0.0.1: Debian's Dovecot or
// mailferry serve, so one test can run against either as the target.
#pragma once

#include <cstdint>
#include <string>

namespace mf::test {

class ImapServer {
 public:
  virtual ~ImapServer() = default;
  virtual std::uint16_t imap_port() const = 0;
  // imap://USER@127.0.0.1:PORT, or imaps:// to its implicit-TLS port.
  virtual std::string url(const std::string& user, bool tls) const = 0;
};

}  // namespace mf::test
