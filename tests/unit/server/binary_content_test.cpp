#include "server/binary_content.h"

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::server;
using namespace std::string_literals;

TEST_CASE("quoted-printable and base64 bodies decode as RFC 2045 reads them", "[server][binary]") {
  // §6.7: trailing white space is not content, "=" ends a line softly, "=XX" is an octet, a stray "=" stays.
  auto qp = decode_body("hello  \r\nbar=\r\n\r\nfoo\t= \r\n=62=3d=3D= =zz\r\nlast", "Quoted-Printable");
  REQUIRE(qp);
  CHECK(*qp == "hello\r\nbar\r\nfoo\tb=== =zz\r\nlast");
  // §6.8: white space and line ends inside are ignored; padded pieces one after another (gmime#150's case).
  auto b64 = decode_body(" aGVs\r\n  bG8g \td29y\r\nbGQ=aGk=\r\n", "BASE64");
  REQUIRE(b64);
  CHECK(*b64 == "hello worldhi");
  CHECK(*decode_body("aGk", "base64") == "hi");  // no padding at the end: the bits there still count
  auto same = decode_body("a\0b"s, "binary");
  REQUIRE(same);
  CHECK(*same == "a\0b"s);
  auto unknown = decode_body("x", "x-uuencode");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == Errc::Usage);
}

TEST_CASE("BINARY of a part decodes it and of a whole message decodes every part in place", "[server][binary]") {
  std::string message =
      "From: a@example.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n"
      "--b\r\nContent-Type: text/plain\r\n\r\nplain\r\n"
      "--b--\r\n";
  auto tree = mime::parse_structure(message);
  auto one = binary_section(message, tree, {1});
  REQUIRE(one);
  CHECK(*one == "hello");
  auto two = binary_section(message, tree, {2});
  REQUIRE(two);
  CHECK(*two == "plain");
  auto whole = binary_section(message, tree, {});
  REQUIRE(whole);
  CHECK(*whole ==
        "From: a@example.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        "--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\n\r\nhello\r\n"
        "--b\r\nContent-Type: text/plain\r\n\r\nplain\r\n"
        "--b--\r\n");
  auto none = binary_section(message, tree, {7});
  REQUIRE(none);
  CHECK(none->empty());
  std::string odd = "Content-Transfer-Encoding: x-odd\r\n\r\nbody\r\n";
  auto refused = binary_section(odd, mime::parse_structure(odd), {});
  REQUIRE_FALSE(refused);
}

TEST_CASE("a message with NUL bytes is served to BODY with those parts in base64", "[server][binary]") {
  std::string body = "\0\xe4\r\n"s;
  std::string message =
      "Subject: x\0y\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n"s + body;
  auto served = without_nuls(message, mime::parse_structure(message));
  CHECK(served.find('\0') == std::string::npos);
  CHECK(served ==
        "Subject: x\x80y\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAOQNCg==\r\n");
  // And BINARY gives the stored bytes back.
  auto back = binary_section(message, mime::parse_structure(message), {1});
  REQUIRE(back);
  CHECK(*back == body);
  std::string plain = "Subject: y\r\n\r\nno nul\r\n";
  CHECK(without_nuls(plain, mime::parse_structure(plain)) == plain);
}
