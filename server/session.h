// One IMAP connection (RFC 9051 §3): its state (not authenticated,
// authenticated, selected, logout), the reading of commands through the
// framer, the command table's dispatch, and the writing of responses.
// Runs as one coroutine on the server's io_context; store work goes to the
// StoreLane, so a session never blocks the thread.
#pragma once

#include "imap/command.h"
#include "imap/framer.h"
#include "imap/response.h"
#include "imap/response_writer.h"
#include "net/connection.h"
#include "server/selected.h"
#include "server/auth_cache.h"
#include "server/login_throttle.h"
#include "server/user_list.h"
#include "server/store_lane.h"
#include "store/users.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace mf::server {

enum class State { NotAuthenticated, Authenticated, Selected, Logout };

// What every session of one server shares.
struct ServerContext {
  std::string data_dir;
  UserList users;
  std::unique_ptr<StoreLane> lane;
  std::unique_ptr<net::OffloadLane> auth_lane;  // Argon2id: tens of ms of CPU, off the I/O thread
  AuthCache auth_cache;                          // logins that passed Argon2id lately
  LoginThrottle login_throttle;                  // failed logins per address and per user
  std::shared_ptr<net::asio::ssl::context> tls;  // null: no STARTTLS, no IMAPS
  bool plaintext_login = false;    // allow LOGIN and AUTHENTICATE PLAIN without TLS off loopback too
  std::uint64_t append_limit = 64ull << 20;  // RFC 7889 APPENDLIMIT: the largest message taken
  std::chrono::milliseconds idle_timeout{30 * 60 * 1000};  // RFC 9051 §5.4: at least 30 minutes
  std::chrono::milliseconds login_timeout{60 * 1000};       // before login
};

class Session {
 public:
  Session(ServerContext& context, std::unique_ptr<net::Connection> conn, bool implicit_tls);
  net::Task<void> run();
  // The server is stopping: the session says BYE after its command in flight (RFC 9051 §7.1.5).
  void shut_down();

  // For the command handlers (server/cmd_*.cpp).
  imap::ResponseWriter& out() { return out_; }
  // Sends what is buffered (also called when out() grows large).
  [[nodiscard]] net::Task<Result<void>> flush();
  // Reads one line (an AUTHENTICATE response), without its CRLF.
  [[nodiscard]] net::Task<Result<std::string>> read_line();

  template <class F>
  auto store(F work) {
    return context_.lane->run(user_, std::move(work));
  }
  // Tells the client what other sessions changed in the selected mailbox
  // (EXPUNGE only when allowed: RFC 9051 §7.5.1).
  [[nodiscard]] net::Task<Result<void>> sync_selected(bool expunges_allowed);

  // FLAGS and PERMANENTFLAGS of the selected mailbox (at SELECT, and when a new keyword appears).
  void announce_flags();

  ServerContext& context() { return context_; }
  State state() const { return state_; }
  void logged_in(std::string user);
  void select(SelectedView view);
  void deselect();
  void logout() { state_ = State::Logout; }
  bool stopping() const { return stopping_; }
  // ENABLE IMAP4rev2 (RFC 9051 §6.3.1, Appendix E): no \Recent, ESEARCH for
  // every SEARCH, mailbox names in UTF-8 rather than modified UTF-7.
  bool rev2() const { return rev2_; }
  void enable_rev2() { rev2_ = true; }
  // CONDSTORE (RFC 7162 §3.1): enabled by ENABLE or the first command that
  // uses a mod-sequence; from then on every FETCH of changed flags carries
  // MODSEQ. Enabling it with a mailbox selected sends its HIGHESTMODSEQ.
  bool condstore() const { return condstore_; }
  void enable_condstore();
  // Ends the read or write in flight (IDLE's updates failed: its read ends too).
  void cancel_io() { conn_->cancel(); }
  SelectedView& selected() { return *selected_; }
  bool has_selected() const { return selected_.has_value(); }
  const std::string& user() const { return user_; }
  const std::string& peer() const { return conn_->peer(); }
  bool tls_active() const { return conn_->tls_active(); }
  bool loopback() const { return loopback_; }
  // Whether a password may be sent now: over TLS, on loopback, or when configured.
  bool login_allowed() const { return tls_active() || loopback_ || context_.plaintext_login; }
  [[nodiscard]] net::Task<Result<void>> start_tls();
  std::string capabilities() const;
  // Mailbox names between the wire (modified UTF-7, RFC 3501 §5.1.3) and the store (UTF-8).
  Result<std::string> mailbox_from_wire(const imap::Value& name) const;
  std::string mailbox_to_wire(const std::string& name) const;
  // Checks a password off the I/O thread, after the wait that failed logins
  // from this address or for this user impose (server/login_throttle.h).
  // Logs a failure.
  [[nodiscard]] net::Task<bool> check_password(const std::string& user, const std::string& password);

 private:
  net::Task<Result<void>> handle(imap::Frame frame);
  net::Task<Result<void>> greet();
  net::Task<Result<void>> send_continuations();
  // Before "+" for an APPEND's message: refuses it when it does not fit in
  // the user's quota (the refused frame is then next). Whether it did.
  net::Task<bool> refuse_over_quota();
  // The framer's limits and the idle timeout for the state; fresh_framer
  // also drops what is buffered (after STARTTLS, RFC 9051 §6.2.1).
  void apply_limits(bool fresh_framer);

  ServerContext& context_;
  std::unique_ptr<net::Connection> conn_;
  bool implicit_tls_;
  bool loopback_ = false;
  imap::Framer framer_;
  imap::ResponseWriter out_;
  State state_ = State::NotAuthenticated;
  std::string user_;
  std::optional<SelectedView> selected_;
  std::uint64_t continued_ = 0;  // sync literals answered with "+"
  bool stopping_ = false;
  bool rev2_ = false;
  bool condstore_ = false;
  std::vector<char> buffer_;
};

}  // namespace mf::server
