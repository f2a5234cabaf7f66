// Errors are values. An Error says what went wrong (a code the caller can act on),
// where (a file, a host, a command), and a message that is safe to show a user.
#pragma once

#include <boost/system/result.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace mf {

enum class Errc {
  Temp,      // transient: retry may succeed (timeouts, dropped connections, throttling)
  NotFound,  // a thing that should exist does not
  Perm,      // the server or the OS refused; retrying will not help
  NoSpace,   // disk or quota full
  Corrupt,   // stored or received data is damaged
  Protocol,  // the peer broke the protocol (malformed response, unexpected answer)
  Auth,      // authentication failed
  Limit,     // a configured limit was exceeded (line length, literal size, nesting)
  Usage,     // the user asked for something invalid
  Io,        // a local I/O failure
  Tls,       // TLS handshake or certificate verification failed
  Stopped,   // the user asked the run to stop (SIGINT, SIGTERM); running it again continues
  InUse,     // another process holds what this needs (a lock) longer than we wait for it
  Exists,    // what was to be created is there already (a mailbox, a case name)
  Expunged,  // the message was removed meanwhile (RFC 9051 §7.1 EXPUNGEISSUED); the rest goes on
};

std::string_view errc_name(Errc code);

struct Error {
  Errc code = Errc::Io;
  std::string message;  // what happened, for the user running mailferry and the log
  std::string where;    // what it happened to: a path, host:port, an IMAP command
  // From a server's answer, as fields rather than text to search: its
  // response code (RFC 5530: "ALREADYEXISTS", "OVERQUOTA"; empty when none)
  // and how long it asked the client to wait (0: it did not say).
  std::string response_code;
  std::chrono::milliseconds retry_after{0};

  // "where: message" (or just the message when where is empty): for the
  // log and the user running the command.
  std::string describe() const;
  // What a server may tell its client about this: one sentence per code,
  // never the message or where (they hold paths, hosts and other users' names).
  std::string_view for_client() const;
};

inline Error make_error(Errc code, std::string message, std::string where = {}) {
  return Error{code, std::move(message), std::move(where)};
}

// Called by boost::system::result<T, Error>::value() when it holds an error: a bug
// in the caller, so it throws.
[[noreturn]] void throw_exception_from_error(Error const& e, boost::source_location const& loc);

template <class T>
using Result = boost::system::result<T, Error>;

// The one policy for a run over many folders (migrate, archive import,
// verify): a refusal of one thing (Perm), a thing that is not there
// (NotFound, Expunged), there already (Exists) or that cannot be asked for
// (Usage) fails that folder or message only; every other error is the connection's or the machine's and ends the
// account (its run may be retried when it is Temp).
bool ends_the_account(const Error& e);

// Prefixes an error's where with more context ("INBOX" + "UID 7" -> "INBOX UID 7").
Error with_context(Error e, std::string_view context);

}  // namespace mf

// Propagates the error of a Result expression, otherwise yields its value.
#define MF_TRY(var, expr)                                  \
  auto var##_result_ = (expr);                             \
  if (!var##_result_) return std::move(var##_result_).error(); \
  auto var = std::move(*var##_result_)

#define MF_CHECK(expr)                                     \
  do {                                                     \
    auto mf_check_result_ = (expr);                        \
    if (!mf_check_result_) return std::move(mf_check_result_).error(); \
  } while (0)

// The same inside coroutines (co_return instead of return).
#define MF_CO_TRY(var, expr)                                  \
  auto var##_result_ = (expr);                                \
  if (!var##_result_) co_return std::move(var##_result_).error(); \
  auto var = std::move(*var##_result_)

#define MF_CO_CHECK(expr)                                     \
  do {                                                        \
    auto mf_check_result_ = (expr);                           \
    if (!mf_check_result_) co_return std::move(mf_check_result_).error(); \
  } while (0)
