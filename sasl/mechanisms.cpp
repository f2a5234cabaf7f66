#include "sasl/mechanisms.h"

#include <vector>

namespace mf::sasl {
namespace {

constexpr char kSoh = '\x01';

Error malformed(std::string_view mechanism, std::string what) {
  return make_error(Errc::Protocol, "malformed " + std::string(mechanism) + " message: " + std::move(what));
}

// RFC 5801 §4 saslname: ',' and '=' are written =2C and =3D.
std::string escape_saslname(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == ',')
      out += "=2C";
    else if (c == '=')
      out += "=3D";
    else
      out += c;
  }
  return out;
}

Result<std::string> unescape_saslname(std::string_view name) {
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == ',') return malformed("OAUTHBEARER", "an unescaped ',' in the authzid");
    if (name[i] != '=') {
      out += name[i];
      continue;
    }
    auto code = name.substr(i + 1, 2);
    if (code == "2C")
      out += ',';
    else if (code == "3D")
      out += '=';
    else
      return malformed("OAUTHBEARER", "'=' in the authzid is neither =2C nor =3D");
    i += 2;
  }
  return out;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  for (;;) {
    auto at = text.find(separator);
    out.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return out;
    text.remove_prefix(at + 1);
  }
}

// "key=value^A...^A^A" (RFC 7628 §3.1 kvpairs) into its pairs; the token
// from "auth=Bearer TOKEN".
struct KeyValues {
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
};

Result<KeyValues> key_values(std::string_view mechanism, std::string_view text) {
  if (text.size() < 2 || text.substr(text.size() - 2) != std::string_view("\x01\x01", 2))
    return malformed(mechanism, "it does not end with two ^A");
  text.remove_suffix(2);
  KeyValues out;
  for (auto pair : split(text, kSoh)) {
    auto eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0) return malformed(mechanism, "a field is not key=value");
    out.pairs.emplace_back(pair.substr(0, eq), pair.substr(eq + 1));
  }
  return out;
}

Result<std::string> bearer_token(std::string_view mechanism, std::string_view auth) {
  constexpr std::string_view kBearer = "Bearer ";
  if (auth.size() <= kBearer.size() || auth.substr(0, kBearer.size()) != kBearer)
    return malformed(mechanism, "auth= is not \"Bearer TOKEN\"");
  return std::string(auth.substr(kBearer.size()));
}

}  // namespace

std::string plain_message(const Plain& plain) {
  return plain.authzid + '\0' + plain.authcid + '\0' + plain.password;
}

Result<Plain> parse_plain(std::string_view message) {
  auto parts = split(message, '\0');
  if (parts.size() != 3) return malformed("PLAIN", "it needs exactly two NUL separators");
  if (parts[1].empty() || parts[2].empty()) return malformed("PLAIN", "an empty user name or password");
  return Plain{std::string(parts[0]), std::string(parts[1]), std::string(parts[2])};
}

std::string oauthbearer_message(const OAuthBearer& bearer) {
  std::string out = "n,a=" + escape_saslname(bearer.authzid) + "," + kSoh;
  if (!bearer.host.empty()) out += "host=" + bearer.host + kSoh;
  if (!bearer.port.empty()) out += "port=" + bearer.port + kSoh;
  return out + "auth=Bearer " + bearer.token + kSoh + kSoh;
}

Result<OAuthBearer> parse_oauthbearer(std::string_view message) {
  // gs2-header: "n," or "y," (no channel binding), then "a=NAME" or nothing, then ",".
  if (message.size() < 2 || (message[0] != 'n' && message[0] != 'y') || message[1] != ',')
    return malformed("OAUTHBEARER", "it does not start with a GS2 header \"n,\"");
  message.remove_prefix(2);
  auto comma = message.find(',');
  if (comma == std::string_view::npos) return malformed("OAUTHBEARER", "the GS2 header does not end with ','");
  OAuthBearer out;
  auto authzid = message.substr(0, comma);
  if (!authzid.empty()) {
    if (authzid.substr(0, 2) != "a=") return malformed("OAUTHBEARER", "the GS2 header's authzid is not a=NAME");
    MF_TRY(name, unescape_saslname(authzid.substr(2)));
    out.authzid = std::move(name);
  }
  message.remove_prefix(comma + 1);
  if (message.empty() || message.front() != kSoh) return malformed("OAUTHBEARER", "no ^A after the GS2 header");
  message.remove_prefix(1);
  MF_TRY(fields, key_values("OAUTHBEARER", message));
  bool have_token = false;
  for (auto [key, value] : fields.pairs) {
    if (key == "host") out.host = value;
    if (key == "port") out.port = value;
    if (key == "auth") {
      MF_TRY(token, bearer_token("OAUTHBEARER", value));
      out.token = std::move(token);
      have_token = true;
    }
  }
  if (!have_token) return malformed("OAUTHBEARER", "no auth=Bearer field");
  return out;
}

std::string xoauth2_message(const XOAuth2& x) {
  return "user=" + x.user + kSoh + "auth=Bearer " + x.token + kSoh + kSoh;
}

Result<XOAuth2> parse_xoauth2(std::string_view message) {
  MF_TRY(fields, key_values("XOAUTH2", message));
  XOAuth2 out;
  bool have_token = false;
  for (auto [key, value] : fields.pairs) {
    if (key == "user") out.user = value;
    if (key == "auth") {
      MF_TRY(token, bearer_token("XOAUTH2", value));
      out.token = std::move(token);
      have_token = true;
    }
  }
  if (out.user.empty() || !have_token) return malformed("XOAUTH2", "it needs user= and auth=Bearer");
  return out;
}

}  // namespace mf::sasl
