#include "net/url.h"

#include "core/base64.h"

#include "tests/result_printer.h"

using namespace mf::net;

TEST_CASE("server URLs parse with defaults, encoded users and IPv6", "[net][url]") {
  auto u = parse_server_url("imaps://alice%40example.org@mail.example.org");
  REQUIRE(u);
  CHECK(u->tls);
  CHECK(u->port == 993);
  CHECK(u->user == "alice@example.org");
  CHECK(u->host == "mail.example.org");
  CHECK(u->display() == "imaps://alice%40example.org@mail.example.org:993");
  auto plain = parse_server_url("imap://bob@127.0.0.1:1143/");
  REQUIRE(plain);
  CHECK_FALSE(plain->tls);
  CHECK(plain->port == 1143);
  auto v6 = parse_server_url("imap://c@[::1]:143");
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->display() == "imap://c@[::1]:143");
}

TEST_CASE("bad server URLs say what is wrong", "[net][url]") {
  for (auto bad : {"http://a@b", "imap://host", "imap://a@", "imap://a@b:0", "imap://a@b:70000", "imap://a@b:x",
                   "imap://a:pw@b", "imap://a@b/INBOX", "imap://%zz@b", "imap://a@[::1"}) {
    INFO(bad);
    auto u = parse_server_url(bad);
    REQUIRE_FALSE(u);
    CHECK(u.error().code == mf::Errc::Usage);
  }
}

TEST_CASE("base64 round-trips SASL PLAIN responses", "[core][base64]") {
  std::string plain = std::string("\0alice\0secret", 13);
  CHECK(mf::base64_encode(plain) == "AGFsaWNlAHNlY3JldA==");
  CHECK(*mf::base64_decode("AGFsaWNlAHNlY3JldA==") == plain);
  CHECK(*mf::base64_decode("") == "");
  CHECK_FALSE(mf::base64_decode("abc"));
  CHECK_FALSE(mf::base64_decode("ab!="));
}
