#include "smtp/command.h"
#include "smtp/data.h"

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::smtp;

TEST_CASE("LMTP command lines and their paths", "[smtp]") {
  auto c = parse_command("rcpt TO:<alice@example.org> NOTIFY=NEVER");
  REQUIRE(c);
  CHECK(c->verb == "RCPT");
  auto to = parse_path(c->argument, "TO", false);
  REQUIRE(to);
  CHECK(to->address == "alice@example.org");
  CHECK(to->parameters == std::vector<std::string>{"NOTIFY=NEVER"});
  auto bounce = parse_path("FROM:<>", "FROM", true);
  REQUIRE(bounce);
  CHECK(bounce->address.empty());  // the null reverse-path of a bounce
  auto routed = parse_path("TO:<@relay.example:bob@example.org>", "TO", false);
  REQUIRE(routed);
  CHECK(routed->address == "bob@example.org");
  CHECK(parse_path("TO:<alice>", "TO", false));  // a bare local part names a local user
  for (const char* bad : {"TO:alice@x", "TO:<>", "TO:<a b@x>", "TO:<a@x", "FROM:<a@x>", "TO:<@x>"}) {
    INFO(bad);
    CHECK_FALSE(parse_path(bad, "TO", false));
  }
  CHECK_FALSE(parse_command("MAIL FROM:<a@b>\x01"));
  CHECK_FALSE(parse_command(std::string(1001, 'A')));
  CHECK(reply_lines(250, {"a", "b"}) == "250-a\r\n250 b\r\n");
}

TEST_CASE("DATA ends at a lone dot and loses its dot-stuffing", "[smtp]") {
  DataReader d(1000);
  std::string input = "Subject: x\r\n\r\n..leading dot\r\n.\r";
  CHECK(d.feed(input) == input.size());
  CHECK_FALSE(d.done());
  std::string rest = "\nNEXT COMMAND\r\n";
  CHECK(d.feed(rest) == 1);  // the rest is the next command's
  CHECK(d.done());
  CHECK(d.message() == "Subject: x\r\n\r\n.leading dot\r\n");
  DataReader small(10);
  small.feed("0123456789abcdef\r\nmore\r\n.\r\n");
  CHECK(small.done());
  CHECK(small.too_large());
}
