#include "core/error.h"

#include <stdexcept>

namespace mf {

std::string_view errc_name(Errc code) {
  switch (code) {
    case Errc::Temp: return "temporary";
    case Errc::NotFound: return "not-found";
    case Errc::Perm: return "refused";
    case Errc::NoSpace: return "no-space";
    case Errc::Corrupt: return "corrupt";
    case Errc::Protocol: return "protocol";
    case Errc::Auth: return "auth";
    case Errc::Limit: return "limit";
    case Errc::Usage: return "usage";
    case Errc::Io: return "io";
    case Errc::Tls: return "tls";
    case Errc::Stopped: return "stopped";
    case Errc::InUse: return "in-use";
    case Errc::Exists: return "exists";
    case Errc::Expunged: return "expunged";
  }
  return "unknown";
}

std::string_view Error::for_client() const {
  switch (code) {
    case Errc::Temp:
    case Errc::InUse: return "Temporary failure, try again later";
    case Errc::NotFound: return "No such thing here";
    case Errc::Perm: return "Not permitted";
    case Errc::NoSpace: return "Out of space (the mailbox quota or the disk is full)";
    case Errc::Auth: return "Authentication failed";
    case Errc::Limit: return "Too large or too deep";
    case Errc::Usage:
    case Errc::Protocol: return "Invalid request";
    case Errc::Exists: return "It exists already";
    case Errc::Expunged: return "The message was expunged";
    case Errc::Stopped: return "The server is shutting down";
    case Errc::Corrupt:
    case Errc::Io:
    case Errc::Tls: break;
  }
  return "Internal server error; the administrator's log has the details";
}

std::string Error::describe() const {
  if (where.empty()) return message;
  return where + ": " + message;
}

void throw_exception_from_error(Error const& e, boost::source_location const&) {
  throw std::runtime_error("unchecked error: " + e.describe());
}

bool ends_the_account(const Error& e) {
  switch (e.code) {
    case Errc::Perm:
    case Errc::NotFound:
    case Errc::Usage:
    case Errc::Exists:
    case Errc::Expunged: return false;
    default: return true;
  }
}

Error with_context(Error e, std::string_view context) {
  if (context.empty()) return e;
  // Said once: a connection's errors already name its side ("target 127.0.0.1:993").
  if (e.where.starts_with(context) && (e.where.size() == context.size() || e.where[context.size()] == ' ')) return e;
  e.where = e.where.empty() ? std::string(context) : std::string(context) + " " + e.where;
  return e;
}

}  // namespace mf
