// SASL messages of the mechanisms mailferry speaks, both ways: a client
// builds them (IMAP AUTHENTICATE, POP3 AUTH), a server takes them apart.
// The messages are raw bytes; the protocols carry them in base64. No I/O.
#pragma once

#include "core/error.h"

#include <string>
#include <string_view>

namespace mf::sasl {

// RFC 4616: [authzid] NUL authcid NUL passwd.
struct Plain {
  std::string authzid;  // empty: act as authcid
  std::string authcid;
  std::string password;
};
std::string plain_message(const Plain& plain);
// Errc::Protocol unless the message has exactly two NULs and a non-empty
// authcid and password (RFC 4616 §2).
[[nodiscard]] Result<Plain> parse_plain(std::string_view message);

// RFC 7628 §3.1: a GS2 header with the authzid ("n,a=USER,"), then
// key=value pairs each ended by ^A (host, port, auth=Bearer TOKEN), then ^A.
struct OAuthBearer {
  std::string authzid;  // the user; escaped in the GS2 header (RFC 5801 §4: ',' =2C, '=' =3D)
  std::string host;
  std::string port;
  std::string token;
};
std::string oauthbearer_message(const OAuthBearer& bearer);
[[nodiscard]] Result<OAuthBearer> parse_oauthbearer(std::string_view message);
// What a client sends after the server's error challenge, to end the exchange (RFC 7628 §3.2.3).
inline constexpr std::string_view kOAuthBearerAbort = "\x01";

// Google's and Microsoft's XOAUTH2: "user=USER^Aauth=Bearer TOKEN^A^A".
struct XOAuth2 {
  std::string user;
  std::string token;
};
std::string xoauth2_message(const XOAuth2& x);
[[nodiscard]] Result<XOAuth2> parse_xoauth2(std::string_view message);

}  // namespace mf::sasl
