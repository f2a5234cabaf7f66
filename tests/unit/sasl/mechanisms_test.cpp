#include "sasl/mechanisms.h"

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::sasl;
using namespace std::string_literals;

TEST_CASE("PLAIN is authzid NUL authcid NUL password, both ways", "[sasl]") {
  CHECK(plain_message({"", "alice", "secret"}) == "\0alice\0secret"s);
  CHECK(plain_message({"bob", "admin", "pw"}) == "bob\0admin\0pw"s);
  auto parsed = parse_plain("bob\0admin\0pw"s);
  REQUIRE(parsed);
  CHECK(parsed->authzid == "bob");
  CHECK(parsed->authcid == "admin");
  CHECK(parsed->password == "pw");
  CHECK_FALSE(parse_plain("alice\0secret"s));           // one NUL
  CHECK_FALSE(parse_plain("\0alice\0se\0cret"s));       // three
  CHECK_FALSE(parse_plain("\0\0secret"s));              // no user
  CHECK_FALSE(parse_plain("\0alice\0"s));               // no password
}

TEST_CASE("OAUTHBEARER escapes ',' and '=' in the authzid (RFC 5801 §4)", "[sasl]") {
  // It was sent raw: "a=odd,user=x," ended the GS2 header early.
  OAuthBearer bearer{"odd,user=x", "imap.example.org", "993", "tok.en"};
  std::string message = oauthbearer_message(bearer);
  CHECK(message == "n,a=odd=2Cuser=3Dx,\x01host=imap.example.org\x01port=993\x01""auth=Bearer tok.en\x01\x01");
  auto parsed = parse_oauthbearer(message);
  REQUIRE(parsed);
  CHECK(parsed->authzid == "odd,user=x");
  CHECK(parsed->host == "imap.example.org");
  CHECK(parsed->port == "993");
  CHECK(parsed->token == "tok.en");
  CHECK(parse_oauthbearer("n,,\x01""auth=Bearer t\x01\x01")->authzid.empty());
  CHECK_FALSE(parse_oauthbearer("p=x,a=u,\x01""auth=Bearer t\x01\x01"));  // channel binding: not offered
  CHECK_FALSE(parse_oauthbearer("n,a=u=2,\x01""auth=Bearer t\x01\x01"));  // a bad escape
  CHECK_FALSE(parse_oauthbearer("n,a=u,\x01""auth=Bearer t\x01"));         // one ^A at the end
  CHECK_FALSE(parse_oauthbearer("n,a=u,\x01host=h\x01\x01"));                // no token
  CHECK_FALSE(parse_oauthbearer("n,a=u,\x01""auth=Basic x\x01\x01"));
}

TEST_CASE("XOAUTH2 is user and bearer token between ^A", "[sasl]") {
  CHECK(xoauth2_message({"alice@example.org", "ya29.x"}) == "user=alice@example.org\x01""auth=Bearer ya29.x\x01\x01");
  auto parsed = parse_xoauth2("user=alice@example.org\x01""auth=Bearer ya29.x\x01\x01");
  REQUIRE(parsed);
  CHECK(parsed->user == "alice@example.org");
  CHECK(parsed->token == "ya29.x");
  CHECK_FALSE(parse_xoauth2("auth=Bearer ya29.x\x01\x01"));
  CHECK_FALSE(parse_xoauth2("user=a\x01""auth=Bearer ya29.x"));
}
