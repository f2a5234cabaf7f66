#include "server/config.h"

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::server;

TEST_CASE("serve settings come from a TOML file whose keys are the flags", "[server][config]") {
  auto s = parse_serve_settings(R"(
data = "/var/lib/mailferry"
imap = ["0.0.0.0:143", "[::]:143"]
imaps = "0.0.0.0:993"
lmtp = ["127.0.0.1:2424", "/run/mailferry/lmtp"]
lmtp_socket_mode = "0666"
tls_cert = "/etc/mailferry/cert.pem"
tls_key = "/etc/mailferry/key.pem"
plaintext_login = false
append_limit = 1048576
)", "serve.toml");
  REQUIRE(s);
  CHECK(s->data == "/var/lib/mailferry");
  CHECK(s->imap == std::vector<std::string>{"0.0.0.0:143", "[::]:143"});
  CHECK(s->imaps == std::vector<std::string>{"0.0.0.0:993"});
  CHECK(s->append_limit == 1048576);
  auto options = to_serve_options(*s);
  REQUIRE(options);
  REQUIRE(options->imap.size() == 3);
  CHECK(options->imap[1].host == "::");
  CHECK(options->imap[2].implicit_tls);
  REQUIRE(options->lmtp.size() == 2);
  CHECK(options->lmtp[0].port == 2424);
  CHECK(options->lmtp[1].socket_path == "/run/mailferry/lmtp");
  CHECK(options->lmtp_socket_mode == 0666);
  CHECK(options->tls_key == "/etc/mailferry/key.pem");
}

TEST_CASE("a settings file with a typo or a wrong type or bad TOML is refused with its line", "[server][config]") {
  auto typo = parse_serve_settings("data = \"/d\"\n\nappend_limt = 5\n", "serve.toml");
  REQUIRE_FALSE(typo);
  CHECK(typo.error().code == Errc::Usage);
  CHECK(typo.error().describe().find("unknown setting 'append_limt'") != std::string::npos);
  CHECK(typo.error().describe().find("serve.toml line 3") != std::string::npos);

  auto wrong = parse_serve_settings("plaintext_login = \"yes\"\n", "serve.toml");
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().describe().find("'plaintext_login' must be true or false") != std::string::npos);

  auto negative = parse_serve_settings("append_limit = -1\n", "serve.toml");
  REQUIRE_FALSE(negative);
  CHECK(negative.error().describe().find("positive number of bytes") != std::string::npos);

  auto list = parse_serve_settings("imap = [\"127.0.0.1:143\", 993]\n", "serve.toml");
  REQUIRE_FALSE(list);
  CHECK(list.error().describe().find("'imap' must be a string or an array of strings") != std::string::npos);

  auto table = parse_serve_settings("[tls]\ncert = \"x\"\n", "serve.toml");
  REQUIRE_FALSE(table);
  CHECK(table.error().describe().find("unknown setting 'tls'") != std::string::npos);

  auto broken = parse_serve_settings("data = \"/d\n", "serve.toml");
  REQUIRE_FALSE(broken);
  CHECK(broken.error().describe().find("not a valid TOML file") != std::string::npos);
  CHECK(broken.error().describe().find("serve.toml line 1") != std::string::npos);
}

TEST_CASE("serve settings are checked before the server starts", "[server][config]") {
  ServeSettings s;
  CHECK_FALSE(to_serve_options(s));  // no data directory
  s.data = "/d";
  s.imap = {"localhost:143"};
  CHECK_FALSE(to_serve_options(s));  // a name, not an IP address
  s.imap = {"127.0.0.1:143"};
  s.lmtp_socket_mode = "rw-rw----";
  CHECK_FALSE(to_serve_options(s));
  s.lmtp_socket_mode = "0660";
  CHECK(to_serve_options(s));
}
