// One LMTP connection (RFC 2033): LHLO, MAIL, RCPT, DATA with one reply per
// accepted recipient, RSET, NOOP, VRFY, QUIT. A message is delivered to the
// recipient's INBOX, or for "user+folder@domain" to that folder when it
// exists, fsynced before its 250 (Mailstore::append). No login: LMTP is for
// the MTA on the same host (listen on loopback, docs/serve.md).
#pragma once

#include "net/connection.h"
#include "server/session.h"
#include "smtp/data.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mf::server {

class LmtpSession {
 public:
  LmtpSession(ServerContext& context, std::unique_ptr<net::Connection> conn);
  net::Task<void> run();
  // The server is stopping: "421" after the transaction in flight.
  void shut_down();

 private:
  struct Recipient {
    std::string address;  // as the MTA gave it
    std::string user;
    std::string folder;   // from "+detail"; empty: INBOX
  };
  net::Task<Result<void>> handle(std::string_view line);
  net::Task<Result<void>> deliver();
  void reset();

  ServerContext& context_;
  std::unique_ptr<net::Connection> conn_;
  std::string out_;
  std::string in_;
  bool greeted_ = false;  // LHLO seen
  bool quit_ = false;
  bool stopping_ = false;
  std::optional<std::string> sender_;
  std::vector<Recipient> recipients_;
  std::optional<smtp::DataReader> data_;
};

// The user and folder an LMTP recipient names: "alice@example.org" is the
// user "alice@example.org" when there is one, else "alice"; "+detail" in
// the local part names a folder. Errc::NotFound when no such user.
[[nodiscard]] Result<std::pair<std::string, std::string>> lmtp_recipient(const store::Users& users,
                                                                         std::string_view address);

}  // namespace mf::server
