#include "server/fetch_items.h"

#include "imap/command.h"

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::server;

namespace {

// The FETCH items of "a FETCH 1 ITEMS".
Result<FetchRequest> items(const std::string& text) {
  imap::Frame frame{"a FETCH 1 " + text + "\r\n", {}};
  auto command = imap::parse_command(frame);
  REQUIRE(command);
  REQUIRE(command->args.size() == 2);
  return parse_fetch_items(command->args[1]);
}

}  // namespace

TEST_CASE("FETCH items and the names their answers carry", "[server][fetch]") {
  auto r = items("(UID FLAGS BODY.PEEK[HEADER.FIELDS (From to)]<0.100> RFC822.SIZE BODY[TEXT] RFC822)");
  REQUIRE(r);
  REQUIRE(r->items.size() == 6);
  CHECK(r->items[2].section.response_name == "BODY[HEADER.FIELDS (FROM TO)]<0>");
  CHECK(r->items[2].section.peek);
  CHECK(*r->items[2].section.count == 100);
  CHECK(r->items[4].section.response_name == "BODY[TEXT]");
  CHECK(r->items[5].section.response_name == "RFC822");
  CHECK(r->sets_seen());
  auto fast = items("FAST");
  REQUIRE(fast);
  CHECK(fast->items.size() == 3);
  CHECK_FALSE(fast->sets_seen());
  auto header = items("RFC822.HEADER");
  REQUIRE(header);
  CHECK_FALSE(header->sets_seen());  // RFC 3501 §6.4.5: RFC822.HEADER is BODY.PEEK[HEADER]
  for (const char* bad : {"(UID BODY[HEADER.FIELDS ()])", "BODY[nonsense]", "(FLAGS BODY[]<1>)", "XYZZY"}) {
    INFO(bad);
    auto refused = items(bad);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == Errc::Protocol);
  }
  // RFC 3516 §4.2: BINARY takes part numbers only; BINARY.SIZE no partial.
  auto binary = items("(BINARY.PEEK[1.2]<0.10> BINARY[] BINARY.SIZE[3])");
  REQUIRE(binary);
  CHECK(binary->items[0].kind == FetchItem::Kind::Binary);
  CHECK(binary->items[0].section.response_name == "BINARY[1.2]<0>");
  CHECK(binary->items[1].section.response_name == "BINARY[]");
  CHECK(binary->items[2].kind == FetchItem::Kind::BinarySize);
  CHECK(binary->items[2].section.response_name == "BINARY.SIZE[3]");
  CHECK(binary->sets_seen());
  for (const char* bad : {"BINARY[HEADER]", "BINARY[1.MIME]", "BINARY.SIZE[1]<0.5>", "BINARY"}) {
    INFO(bad);
    CHECK_FALSE(items(bad));
  }
  auto full = items("FULL");
  REQUIRE(full);
  CHECK(full->items.size() == 5);  // FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY
  auto parts = items("(BODY.PEEK[1.2.MIME] BODY[3.HEADER.FIELDS (TO)] BODY[2.TEXT])");
  REQUIRE(parts);
  CHECK(parts->items[0].section.part_numbers == std::vector<unsigned>{1, 2});
  CHECK(parts->items[0].section.response_name == "BODY[1.2.MIME]");
  CHECK(parts->items[1].section.response_name == "BODY[3.HEADER.FIELDS (TO)]");
  CHECK(parts->items[2].section.response_name == "BODY[2.TEXT]");
  for (const char* bad : {"BODY[0]", "BODY[1.]", "BODY[MIME]", "BODY[1..2]"}) {
    INFO(bad);
    CHECK_FALSE(items(bad));
  }
}

TEST_CASE("body sections cut the message where RFC 9051 says", "[server][fetch]") {
  std::string m = "From: a@x\r\nTo: b@y,\r\n c@z\r\nSubject: s\r\n\r\nbody\r\n";
  SectionRequest s;
  s.part = SectionRequest::Part::Header;
  CHECK(section_bytes(m, s) == "From: a@x\r\nTo: b@y,\r\n c@z\r\nSubject: s\r\n\r\n");
  s.part = SectionRequest::Part::Text;
  CHECK(section_bytes(m, s) == "body\r\n");
  s.part = SectionRequest::Part::HeaderFields;
  s.fields = {"TO"};
  CHECK(section_bytes(m, s) == "To: b@y,\r\n c@z\r\n\r\n");  // with its continuation line
  s.part = SectionRequest::Part::HeaderFieldsNot;
  CHECK(section_bytes(m, s) == "From: a@x\r\nSubject: s\r\n\r\n");
  s.part = SectionRequest::Part::Text;
  CHECK(section_bytes("no header at all", s).empty());
  CHECK(section_bytes("\r\nbody", s) == "body");
  CHECK(section_bytes("A: b\n\nbody", s) == "body");
}
