#include "imap/response_codes.h"

#include <array>

namespace mf::imap {
namespace {

struct Meaning {
  std::string_view name;
  Errc code;
  bool sent = false;  // the server's code for this Errc (one per Errc)
};

constexpr std::array kCodes = {
    Meaning{"UNAVAILABLE", Errc::Temp, true},  // RFC 5530 §3: a subsystem is down, try later
    Meaning{"THROTTLED", Errc::Temp},          // not RFC 5530: Exchange, Gmail
    Meaning{"INUSE", Errc::Temp},              // a client's view: retry later
    Meaning{"INUSE", Errc::InUse, true},
    Meaning{"SERVERBUG", Errc::Temp},
    Meaning{"SERVERBUG", Errc::Io, true},
    Meaning{"SERVERBUG", Errc::Corrupt, true},
    Meaning{"SERVERBUG", Errc::Tls, true},
    Meaning{"OVERQUOTA", Errc::Perm},  // the server is full: remote, not our disk
    Meaning{"OVERQUOTA", Errc::NoSpace, true},
    Meaning{"LIMIT", Errc::Perm},
    Meaning{"TOOBIG", Errc::Perm},  // RFC 7889 §4 (RFC 4469 §5): a message over APPENDLIMIT
    Meaning{"LIMIT", Errc::Limit, true},
    Meaning{"AUTHENTICATIONFAILED", Errc::Auth, true},
    Meaning{"AUTHORIZATIONFAILED", Errc::Auth},
    Meaning{"EXPIRED", Errc::Auth},
    Meaning{"NONEXISTENT", Errc::NotFound, true},
    Meaning{"TRYCREATE", Errc::NotFound},  // RFC 9051 §7.1: APPEND, COPY, MOVE to a missing mailbox
    Meaning{"ALREADYEXISTS", Errc::Exists, true},
    Meaning{"EXPUNGEISSUED", Errc::Expunged, true},
    Meaning{"NOPERM", Errc::Perm, true},
    Meaning{"CLIENTBUG", Errc::Usage, true},
    Meaning{"CLIENTBUG", Errc::Protocol, true},
    Meaning{"UNAVAILABLE", Errc::Stopped, true},
};

}  // namespace

Errc errc_of_response_code(std::string_view name) {
  for (const auto& m : kCodes)
    if (m.name == name) return m.code;
  return Errc::Perm;
}

std::string_view response_code_of(Errc code) {
  for (const auto& m : kCodes)
    if (m.sent && m.code == code) return m.name;
  return "SERVERBUG";
}

}  // namespace mf::imap
