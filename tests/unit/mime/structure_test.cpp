#include "mime/structure.h"

#include "mime/address_list.h"

#include "tests/result_printer.h"

using namespace mf::mime;

namespace {

std::string_view bytes_of(std::string_view m, const Part& p) { return m.substr(p.body_begin, p.body_size()); }

}  // namespace

TEST_CASE("a MIME tree as byte ranges: boundaries and the line end before them", "[mime][structure]") {
  std::string m =
      "Content-Type: multipart/mixed; boundary=\"b 1\"\r\n\r\n"
      "preamble\r\n"
      "--b 1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhello\r\nworld\r\n"
      "--b 1\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\ninner body\r\n"
      "--b 1\r\n\r\ndefault type\r\n"
      "--b 1--\r\nepilogue\r\n";
  auto root = parse_structure(m);
  REQUIRE(root.is_multipart());
  REQUIRE(root.children.size() == 3);
  CHECK(bytes_of(m, root.children[0]) == "hello\r\nworld");  // the CRLF before "--b 1" is the delimiter's
  CHECK(root.children[0].body_lines == 1);
  CHECK(root.children[0].fields.parameters == Parameters{{"charset", "utf-8"}});
  const Part& inner = root.children[1];
  REQUIRE(inner.is_message());
  CHECK(bytes_of(m, *inner.message) == "inner body");
  CHECK(root.children[2].fields.type == "text");  // RFC 2045 §5.2 default
  CHECK(root.children[2].fields.parameters == Parameters{{"charset", "us-ascii"}});
  CHECK_FALSE(root.children[2].fields.has_content_type);
  // Part numbers (RFC 3501 §6.4.5): 2 is the message/rfc822 part, 2.1 the body of the message it holds.
  CHECK(find_part(root, {1}) == &root.children[0]);
  CHECK(find_part(root, {2, 1}) == inner.message.get());
  CHECK(find_part(root, {4}) == nullptr);
  CHECK(find_part(root, {1, 1}) == nullptr);
  auto single = parse_structure("Subject: x\r\n\r\nbody\r\n");
  CHECK(find_part(single, {1}) == &single);  // a message that is not multipart is its own part 1
}

TEST_CASE("a multipart without its closing boundary ends with its parent", "[mime][structure]") {
  std::string m = "Content-Type: multipart/alternative; boundary=x\n\n--x\n\nonly part, never closed\n";
  auto root = parse_structure(m);
  REQUIRE(root.children.size() == 1);
  CHECK(bytes_of(m, root.children[0]) == "only part, never closed\n");
  auto nested = parse_structure(std::string(200, ' ') + "\r\n");  // no header at all: still a tree
  CHECK_FALSE(nested.is_multipart());
}

TEST_CASE("ENVELOPE addresses keep names routes and groups as written", "[mime][address]") {
  auto a = parse_envelope_addresses("\"Real, Name\" <user@domain>, =?utf-8?q?J=C3=BCrgen?= <j@x.org>");
  REQUIRE(a.size() == 2);
  CHECK(a[0].name == "Real, Name");
  CHECK(a[0].mailbox == "user");
  CHECK(a[0].host == "domain");
  CHECK(a[1].name == "=?utf-8?q?J=C3=BCrgen?=");  // RFC 2047 left for the client (RFC 3501 §7.4.2)
  auto comment = parse_envelope_addresses("user@domain (Real Name)");
  REQUIRE(comment.size() == 1);
  CHECK(comment[0].name == "Real Name");
  auto route = parse_envelope_addresses("<@route:user@domain>");
  REQUIRE(route.size() == 1);
  CHECK(route[0].route == "@route");
  CHECK_FALSE(route[0].has_name);
  auto groups = parse_envelope_addresses("group: g1@d1.org, g2@d2.org;, empty:;");
  REQUIRE(groups.size() == 6);
  CHECK(groups[0].mailbox == "group");
  CHECK_FALSE(groups[0].has_host);
  CHECK(groups[2].mailbox == "g2");
  CHECK_FALSE(groups[3].has_mailbox);  // the group's end
  CHECK(groups[4].mailbox == "empty");
  CHECK(parse_envelope_addresses("").empty());
  CHECK(parse_envelope_addresses(" (just a comment) ").empty());
  // Found by server_fuzz: a stray ')' looped for ever.
  CHECK_FALSE(parse_envelope_addresses("a@b) c@d").empty());
}
