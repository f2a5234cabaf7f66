// Header fields as the archive and reports read them, and their addresses.
#include "mime/headers.h"

#include "tests/result_printer.h"

using mf::mime::Headers;

TEST_CASE("headers are unfolded, found in any case, and their domains read", "[mime]") {
  Headers h("From: Alice <alice@Example.ORG>\r\nTo: bob@b.example,\r\n carol@c.example.\r\n"
            "subject: Hello\r\n\tworld\r\nX-A: 1\r\nX-A: 2\r\n\r\nTo: body@not.header\r\n");
  CHECK(h.well_formed());
  CHECK(h.value("Subject") == "Hello\tworld");
  CHECK(h.values("x-a") == std::vector<std::string>{"1", "2"});
  CHECK(h.domains("From") == std::vector<std::string>{"example.org"});
  CHECK(h.domains("To") == std::vector<std::string>{"b.example", "c.example"});
  CHECK(h.value("Cc").empty());
  CHECK_FALSE(Headers("no colon here\r\n\r\nbody").well_formed());
  CHECK_FALSE(Headers(" continuation first: x\r\n\r\n").well_formed());
  CHECK_FALSE(Headers("Subject: no end of the header section").well_formed());
  CHECK(Headers("Subject: no end\r\nbroken line\r\n\r\n").value("Subject") == "no end");
}

TEST_CASE("addresses are read as RFC 5322 says, not by looking for an at sign", "[mime]") {
  Headers h("From: \"bob@fake.example\" <alice@real.example>\r\n"
            "To: team: carol@c.example, Dave <dave@d.example>;, =?UTF-8?Q?J=C3=BCrgen?= <j@e.example>\r\n"
            "Cc: undisclosed-recipients:;\r\n\r\n");
  CHECK(h.domains("From") == std::vector<std::string>{"real.example"});
  auto to = h.addresses("To");
  REQUIRE(to.size() == 3);
  CHECK(to[0].address == "carol@c.example");
  CHECK(to[1].name == "Dave");
  CHECK(to[2].name == "J\xC3\xBCrgen");
  CHECK(to[2].address == "j@e.example");
  CHECK(h.addresses("Cc").empty());
  CHECK(h.domains("To") == std::vector<std::string>{"c.example", "d.example", "e.example"});
}
