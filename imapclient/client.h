// A coroutine IMAP4rev1/IMAP4rev2 client (RFC 3501, RFC 9051) on one
// connection. One coroutine uses a Client at a time. Every failure is an
// Error naming the server and the command; NO and BAD answers carry the
// server's text. After a connection-level error the client is unusable.
#pragma once

#include "imap/response.h"
#include "imap/sequence_set.h"
#include "imap/writer.h"
#include "net/url.h"
#include "net/connection.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace mf::imapclient {

using net::Task;

struct ClientOptions : net::ConnectOptions {
  // COMPRESS=DEFLATE after login: Auto compresses unless the server is on a
  // loopback address (where it costs CPU and saves nothing).
  enum class Compress { Auto, Yes, No } compress = Compress::Auto;
};

struct Mailbox {
  std::string name;  // wire form (modified UTF-7)
  std::vector<std::string> attributes;
  std::optional<char> delimiter;

  bool selectable() const;
  // The RFC 6154 special-use attribute ("\Sent", ...), or empty.
  std::string special_use() const;
};

struct SelectedMailbox {
  std::uint32_t exists = 0;
  std::uint32_t uidvalidity = 0;
  std::uint32_t uidnext = 0;
  std::optional<std::uint64_t> highestmodseq;
  std::vector<std::string> flags;
  std::optional<std::vector<std::string>> permanent_flags;  // unset: server sent none
  bool read_only = false;

  // RFC 9051 §7.1: without PERMANENTFLAGS, all FLAGS are permanent; "\*"
  // allows new keywords.
  bool accepts_flag(std::string_view flag) const;
};

struct AppendRequest {
  std::string_view message;  // borrowed until append() returns
  std::vector<std::string> flags;
  std::string internaldate;  // may be empty
};

struct AppendResult {
  std::uint32_t uidvalidity = 0;  // 0 when the server lacks UIDPLUS
  std::uint32_t uid = 0;
};

class Client {
 public:
  using FetchHandler = std::function<Result<void>(imap::FetchData&)>;
  using UntaggedHandler = std::function<Result<void>(imap::Response&)>;

  // Connects, reads the greeting, and upgrades with STARTTLS when asked.
  static Task<Result<std::unique_ptr<Client>>> connect(net::asio::any_io_executor executor, const net::ServerUrl& url,
                                                       ClientOptions options);

  // AUTHENTICATE PLAIN (with SASL-IR when offered) or LOGIN. Errc::Auth when refused.
  Task<Result<void>> login(const std::string& user, const std::string& password, const std::string& authzid = {});
  // AUTHENTICATE OAUTHBEARER (RFC 7628) or XOAUTH2 (Google, Microsoft) with
  // an OAuth 2.0 access token. Errc::Auth, with the server's reason, when refused.
  Task<Result<void>> login_oauth(const std::string& user, const std::string& token);
  // COMPRESS DEFLATE (RFC 4978) when the options ask for it and the server
  // offers it; true when the connection is compressed from now on.
  Task<Result<bool>> compress();
  Task<Result<std::vector<Mailbox>>> list();
  Task<Result<std::vector<std::string>>> subscriptions();
  // The first personal namespace (RFC 2342); prefix "" when the server has
  // no NAMESPACE capability.
  Task<Result<imap::Namespace>> personal_namespace();
  Task<Result<SelectedMailbox>> select(const std::string& mailbox, bool read_only);
  // STATUS mailbox (items), e.g. "(MESSAGES UIDNEXT UIDVALIDITY HIGHESTMODSEQ)": item -> value.
  Task<Result<std::map<std::string, std::uint64_t>>> status(const std::string& mailbox, std::string_view items);
  // STATUS of many mailboxes, sent at once (one round trip); a mailbox the
  // server refuses is left out of the answer.
  Task<Result<std::map<std::string, std::map<std::string, std::uint64_t>>>> statuses(
      const std::vector<std::string>& mailboxes, std::string_view items);
  // UID FETCH set (items); handler sees every FETCH response as it arrives.
  Task<Result<void>> uid_fetch(const imap::SequenceSet& uids, std::string_view items, const FetchHandler& handler);
  // APPENDs the messages, pipelined when the server has LITERAL+. The outer
  // error is the connection's; each message has its own result (a NO for
  // one message does not stop the others), in order.
  Task<Result<std::vector<Result<AppendResult>>>> append(const std::string& mailbox,
                                                         const std::vector<AppendRequest>& messages);
  // One APPEND of all messages (RFC 3502 MULTIAPPEND): atomic, so the server
  // commits (and fsyncs) once; a NO means none was appended.
  Task<Result<std::vector<AppendResult>>> multiappend(const std::string& mailbox,
                                                      const std::vector<AppendRequest>& messages);
  Task<Result<void>> create(const std::string& mailbox);
  Task<Result<void>> subscribe(const std::string& mailbox);
  Task<Result<void>> logout();

  // Any other command: build it with new_command(), handler sees untagged data.
  imap::CommandBuilder new_command(std::string_view name);
  Task<Result<imap::StatusResponse>> run(imap::CommandBuilder command, const UntaggedHandler& handler = {});

  bool has_capability(std::string_view name) const;
  // The value of a NAME=VALUE capability (e.g. APPENDLIMIT=35651584), if offered.
  std::optional<std::string> capability_value(std::string_view name) const;
  const std::string& peer() const { return conn_->peer(); }

 private:
  explicit Client(std::unique_ptr<net::Connection> conn, ClientOptions options);
  Task<Result<imap::Response>> read_response();
  Task<Result<void>> send(std::vector<imap::WirePiece> pieces, const std::string& tag, const UntaggedHandler& handler);
  Task<Result<imap::StatusResponse>> wait_tagged(const std::string& tag, const UntaggedHandler& handler);
  Task<Result<imap::StatusResponse>> execute(const std::string& tag, std::vector<imap::WirePiece> pieces,
                                             const UntaggedHandler& handler);
  Task<Result<void>> refresh_capabilities();
  // One SASL exchange (RFC 9051 §6.2.2): the initial response (sent with
  // SASL-IR when offered), then reply(challenge) for each further "+".
  Task<Result<imap::StatusResponse>> authenticate(std::string mechanism, const std::string& initial,
                                                  const std::function<std::string(const std::string&)>& reply);
  Task<Result<void>> finish_login(Result<imap::StatusResponse> result, const std::string& who);
  void note_untagged(const imap::Response& response);
  Error fail(Error e);

  std::unique_ptr<net::Connection> conn_;
  ClientOptions options_;
  imap::Framer framer_;
  std::vector<char> buffer_;
  std::set<std::string> capabilities_;
  std::map<std::string, imap::StatusResponse> early_tagged_;  // pipelined answers read ahead
  std::map<std::string, std::string> command_names_;          // tag -> "APPEND" for messages
  std::string bye_text_;
  std::string host_;  // as the user named it (OAUTHBEARER sends it)
  std::uint16_t port_ = 0;
  unsigned next_tag_ = 1;
  std::optional<Error> broken_;
};

}  // namespace mf::imapclient
