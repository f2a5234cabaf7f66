// One side of a migration: where, as whom, and how to connect.
#pragma once

#include "imapclient/client.h"

#include <memory>
#include <string>

namespace mf::source {

using net::Task;

struct Endpoint {
  net::ServerUrl url;
  std::string admin;     // log in as this admin on behalf of url.user (SASL PLAIN authzid)
  std::string password;  // the admin's when admin is set
  // When set: log in with an OAuth 2.0 token this command prints (run anew
  // for every connection, so a reconnect after the token expired gets a
  // fresh one); MAILFERRY_USER holds the user.
  std::string oauth_token_command;
  imapclient::ClientOptions options;
  std::string store;  // a source in local files instead: "maildir:/path", "mbox:/path", "eml:/dir"
  bool pop3 = false;  // url is a POP3 server (pop3://, pop3s://), a source only
};

// Connects and logs in; errors name the side ("source" or "target").
Task<Result<std::unique_ptr<imapclient::Client>>> open_session(net::asio::any_io_executor executor,
                                                               const Endpoint& endpoint, std::string_view side);

// The names a migration, an archive and the state file give an account and
// a source, made in one place:
// "alice@old.example.org -> alice@new.example.org": a migration's account in
// the state file (scheme and port left out: imap:// and imaps:// are the
// same mailbox, and so is a proxy in front of it).
std::string account_key(const Endpoint& from, const Endpoint& to);
// The account archive placements carry: "user@host", or the store's URL.
std::string account_name(const Endpoint& from);
// Where the messages were read: "imaps://alice@host:993", "maildir:/path".
std::string source_name(const Endpoint& from);

}  // namespace mf::source
