#include "imap/response.h"

#include "tests/result_printer.h"

using namespace mf::imap;

namespace {
Response parse(std::string wire, std::vector<std::string> literals = {}) {
  Frame frame{std::move(wire), {}};
  for (auto& l : literals) frame.literals.push_back(FrameLiteral{l.size(), l});
  auto r = parse_response(frame);
  INFO(frame.text);
  REQUIRE(r);
  return std::move(*r);
}

mf::Error parse_error(std::string wire) {
  Frame frame{std::move(wire), {}};
  auto r = parse_response(frame);
  REQUIRE_FALSE(r);
  return r.error();
}
}  // namespace

TEST_CASE("greeting with capability response code", "[imap][response]") {
  auto r = parse("* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR AUTH=PLAIN] Dovecot ready.\r\n");
  auto& s = std::get<StatusResponse>(r);
  CHECK(s.tag == "*");
  CHECK(s.status == Status::Ok);
  REQUIRE(s.code);
  CHECK(s.code->name == "CAPABILITY");
  REQUIRE(s.code->values.size() == 4);
  CHECK(s.code->values[1].text == "LITERAL+");
  CHECK(s.text == "Dovecot ready.");
}

TEST_CASE("tagged responses with codes from RFC 9051 and 4315", "[imap][response]") {
  auto r = parse("A003 OK [APPENDUID 38505 3955] APPEND completed\r\n");
  auto& s = std::get<StatusResponse>(r);
  CHECK(s.tag == "A003");
  CHECK(s.code->name == "APPENDUID");
  CHECK(s.code->number(0) == 38505u);
  CHECK(s.code->number(1) == 3955u);

  auto copy = std::get<StatusResponse>(parse("A004 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n"));
  CHECK(copy.code->args == "38505 304,319:320 3956:3958");

  auto no = std::get<StatusResponse>(parse("A005 NO [TRYCREATE] Mailbox doesn't exist: Foo\r\n"));
  CHECK(no.status == Status::No);
  CHECK(no.code->name == "TRYCREATE");
  CHECK(no.code->args.empty());

  auto perm = std::get<StatusResponse>(parse("* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n"));
  REQUIRE(perm.code->values.size() == 1);
  CHECK(perm.code->values[0].items.size() == 3);
  CHECK(perm.code->values[0].items[2].text == "\\*");

  auto throttled = std::get<StatusResponse>(parse("a1 NO [THROTTLED] Too fast\r\n"));
  CHECK(throttled.code->name == "THROTTLED");
  auto unknown = std::get<StatusResponse>(parse("a1 OK [X-WEIRD 1 (a b] done\r\n"));
  CHECK(unknown.code->name == "X-WEIRD");
  CHECK(unknown.code->args == "1 (a b");

  auto bye = std::get<StatusResponse>(parse("* BYE Autologout; idle for too long\r\n"));
  CHECK(bye.status == Status::Bye);
  auto bare = std::get<StatusResponse>(parse("a2 OK\r\n"));
  CHECK(bare.text.empty());
}

TEST_CASE("continuation request", "[imap][response]") {
  CHECK(std::get<Continuation>(parse("+ Ready for literal data\r\n")).text == "Ready for literal data");
  CHECK(std::get<Continuation>(parse("+\r\n")).text.empty());
}

TEST_CASE("LIST and LSUB with attributes, delimiters and literal names", "[imap][response]") {
  auto l = std::get<ListData>(parse("* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent Items\"\r\n"));
  CHECK(l.has_attribute("\\sent"));
  CHECK(l.delimiter == '/');
  CHECK(l.mailbox == "Sent Items");
  auto nil = std::get<ListData>(parse("* LIST (\\Noselect) NIL \"\"\r\n"));
  CHECK_FALSE(nil.delimiter);
  auto lit = std::get<ListData>(parse("* LIST () \".\" {5}\r\n\r\n", {"a\"b.c"}));
  CHECK(lit.mailbox == "a\"b.c");
  auto lsub = std::get<ListData>(parse("* LSUB () \".\" INBOX.Entw&APw-rfe\r\n"));
  CHECK(lsub.lsub);
  CHECK(lsub.mailbox == "INBOX.Entw&APw-rfe");
}

TEST_CASE("NAMESPACE with prefixes, NIL parts and extensions", "[imap][response]") {
  auto n = std::get<NamespaceData>(
      parse("* NAMESPACE ((\"INBOX.\" \".\")) ((\"#Users.\" \".\" \"X-EXT\" (\"a\"))) NIL\r\n"));
  REQUIRE(n.personal.size() == 1);
  CHECK(n.personal[0].prefix == "INBOX.");
  CHECK(n.personal[0].delimiter == '.');
  CHECK(n.other_users[0].prefix == "#Users.");
  CHECK(n.shared.empty());
  auto flat = std::get<NamespaceData>(parse("* NAMESPACE ((\"\" NIL)) NIL NIL\r\n"));
  CHECK(flat.personal[0].prefix.empty());
  CHECK_FALSE(flat.personal[0].delimiter);
}

TEST_CASE("NAMESPACE descriptions with no space between them (RFC 2342, Courier)", "[imap][response]") {
  auto courier = std::get<NamespaceData>(
      parse("* NAMESPACE ((\"INBOX.\" \".\")) NIL ((\"#shared.\" \".\")(\"shared.\" \".\"))\r\n"));
  REQUIRE(courier.personal.size() == 1);
  CHECK(courier.personal[0].prefix == "INBOX.");
  CHECK(courier.other_users.empty());
  REQUIRE(courier.shared.size() == 2);
  CHECK(courier.shared[1].prefix == "shared.");
  auto two = std::get<NamespaceData>(parse("* NAMESPACE ((\"\" \"/\")(\"Other/\" \"/\")) NIL NIL\r\n"));
  REQUIRE(two.personal.size() == 2);
  CHECK(two.personal[1].prefix == "Other/");
  auto spaced = std::get<NamespaceData>(parse("* NAMESPACE ((\"\" \"/\") (\"Other/\" \"/\")) NIL NIL\r\n"));
  CHECK(spaced.personal.size() == 2);
  for (std::string bad : {"* NAMESPACE (\"\" \"/\") NIL NIL\r\n", "* NAMESPACE (()) NIL NIL\r\n",
                          "* NAMESPACE ((\"\" \"/\")\r\n", "* NAMESPACE FOO NIL NIL\r\n"}) {
    INFO(bad);
    CHECK(parse_error(bad).code == mf::Errc::Protocol);
  }
}

TEST_CASE("STATUS, FLAGS, SEARCH, ESEARCH, message counts", "[imap][response]") {
  auto st = std::get<StatusData>(parse("* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n"));
  CHECK(st.mailbox == "blurdybloop");
  REQUIRE(st.items.size() == 2);
  CHECK(st.items[1] == std::pair<std::string, std::uint64_t>{"UIDNEXT", 44292});
  auto fl = std::get<FlagsData>(parse("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label1)\r\n"));
  CHECK(fl.flags.size() == 6);
  auto se = std::get<SearchData>(parse("* SEARCH 2 84 882 (MODSEQ 917162500)\r\n"));
  CHECK(se.numbers == std::vector<std::uint32_t>{2, 84, 882});
  CHECK(se.modseq == 917162500u);
  CHECK(std::get<SearchData>(parse("* SEARCH\r\n")).numbers.empty());
  auto es = std::get<ESearchData>(parse("* ESEARCH (TAG \"A282\") UID MIN 2 COUNT 3 ALL 2,10:11\r\n"));
  CHECK(es.tag == "A282");
  CHECK(es.uid);
  REQUIRE(es.items.size() == 3);
  CHECK(es.items[2].second.text == "2,10:11");
  CHECK(std::get<ExistsData>(parse("* 23 EXISTS\r\n")).count == 23);
  CHECK(std::get<RecentData>(parse("* 5 RECENT\r\n")).count == 5);
  CHECK(std::get<ExpungeData>(parse("* 44 EXPUNGE\r\n")).seq == 44);
  auto v = std::get<VanishedData>(parse("* VANISHED (EARLIER) 41,43:116,118\r\n"));
  CHECK(v.earlier);
  CHECK(v.uids.to_string() == "41,43:116,118");
  CHECK(std::get<EnabledData>(parse("* ENABLED CONDSTORE QRESYNC\r\n")).capabilities.size() == 2);
  CHECK(std::get<CapabilityData>(parse("* CAPABILITY IMAP4rev1 UIDPLUS idle\r\n")).capabilities[2] == "IDLE");
}

TEST_CASE("FETCH with all the items a migration reads", "[imap][response]") {
  auto f = std::get<FetchData>(parse(
      "* 12 FETCH (UID 4827313 FLAGS (\\Seen $Label1) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" "
      "RFC822.SIZE 4286 MODSEQ (12121231000) BODY[] {10}\r\n BODY[HEADER.FIELDS (SUBJECT)]<0> NIL)\r\n",
      {"0123456789"}));
  CHECK(f.seq == 12);
  CHECK(f.uid == 4827313u);
  CHECK(f.flags == std::vector<std::string>{"\\Seen", "$Label1"});
  CHECK(f.internaldate == "17-Jul-1996 02:44:25 -0700");
  CHECK(f.size == 4286u);
  CHECK(f.modseq == 12121231000u);
  REQUIRE(f.sections.size() == 2);
  CHECK(f.section("BODY[]")->data.text == "0123456789");
  CHECK(f.sections[1].name == "BODY[HEADER.FIELDS (SUBJECT)]<0>");
  CHECK(f.sections[1].data.is_nil());
}

TEST_CASE("FETCH keeps unknown items and envelope lists", "[imap][response]") {
  auto f = std::get<FetchData>(parse("* 1 FETCH (X-GM-MSGID 123 ENVELOPE (NIL \"subj\" NIL))\r\n"));
  REQUIRE(f.other.size() == 2);
  CHECK(f.other[0].first == "X-GM-MSGID");
  CHECK(f.other[1].second.items[1].text == "subj");
}

TEST_CASE("quoted strings unescape", "[imap][response]") {
  auto l = std::get<ListData>(parse("* LIST () \"\\\\\" \"a\\\"b\"\r\n"));
  CHECK(l.delimiter == '\\');
  CHECK(l.mailbox == "a\"b");
}

TEST_CASE("unknown untagged data is kept verbatim", "[imap][response]") {
  CHECK(std::get<UnknownData>(parse("* XFOO bar baz\r\n")).text == "* XFOO bar baz");
  CHECK(std::get<UnknownData>(parse("* 3 XTHING 1\r\n")).text == "* 3 XTHING 1");
}

TEST_CASE("malformed responses are protocol errors naming the place", "[imap][response][malformed]") {
  for (std::string bad : {"* 1 FETCH (UID)\r\n", "* 1 FETCH (UID abc)\r\n", "* 1 FETCH UID 5\r\n",
                          "* LIST (\\Noselect \"/\" foo\r\n", "* LIST () \"//\" foo\r\n",
                          "* STATUS box (MESSAGES)\r\n", "a1 MAYBE ok\r\n", "* 1 FETCH (BODY[ {3}\r\n",
                          "* OK [UIDNEXT 5 no close\r\n", "* SEARCH 1 x\r\n", "* 99999999999 EXISTS\r\n",
                          "* 1 FETCH (FLAGS (\\Seen) INTERNALDATE 5)\r\n", "* 1 FETCH (BODY[] {5}\r\n)\r\n",
                          "\r\n", "* VANISHED 0:3\r\n", "* NAMESPACE ((\"\" \"//\")) NIL NIL\r\n",
                          "* NAMESPACE ((\"\" \"/\")) NIL\r\n", "* 1 FETCH (UID 1 \"unterminated)\r\n"}) {
    INFO(bad);
    auto e = parse_error(bad);
    CHECK(e.code == mf::Errc::Protocol);
    CHECK_FALSE(e.message.empty());
  }
}

TEST_CASE("nesting depth is limited", "[imap][response][limits]") {
  std::string deep = "* 1 FETCH (BODYSTRUCTURE " + std::string(100, '(') + std::string(100, ')') + ")\r\n";
  Frame frame{deep, {}};
  auto r = parse_response(frame);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == mf::Errc::Limit);
}
