// Sequence sets, modified UTF-7, dates, the command writer and command parser.
#include "imap/command.h"
#include "imap/date.h"
#include "imap/mutf7.h"
#include "imap/sequence_set.h"
#include "imap/writer.h"

#include "tests/result_printer.h"

using namespace mf::imap;

TEST_CASE("sequence sets parse, compress and print", "[imap][seqset]") {
  auto s = SequenceSet::parse("1:4,7,9:*");
  REQUIRE(s);
  CHECK(s->contains(3, 10));
  CHECK_FALSE(s->contains(5, 10));
  CHECK(s->contains(12, 12));
  // 4294967295 is a UID like any other, not "*" (imaptest's search-sets: UIDNEXT:4294967295).
  auto top = SequenceSet::parse("7:4294967295");
  REQUIRE(top);
  CHECK_FALSE(top->contains(6, 6));
  CHECK(top->contains(4294967295u, 6));
  CHECK(top->to_string() == "7:4294967295");
  CHECK(SequenceSet::parse("*:4")->to_string() == "*:4");
  CHECK(SequenceSet::parse("*:4")->contains(3, 3));  // "*" is 3 here: 3:4
  CHECK(s->expand(10) == std::vector<std::uint32_t>{1, 2, 3, 4, 7, 9, 10});
  CHECK(SequenceSet::parse("4:2")->to_string() == "2:4");
  CHECK(SequenceSet::from_numbers({5, 1, 2, 3, 9, 10, 3}).to_string() == "1:3,5,9:10");
  CHECK(SequenceSet::from_numbers({}).empty());
  for (auto bad : {"", "0", "1:", ",1", "1,,2", "a", "01", "4294967296", "1:2:3"}) {
    INFO(bad);
    CHECK_FALSE(SequenceSet::parse(bad));
  }
}

TEST_CASE("modified UTF-7 from RFC 3501 and the usual German folders", "[imap][mutf7]") {
  // RFC 3501 §5.1.3 example
  CHECK(*mutf7_decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-") == "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
  CHECK(*mutf7_encode("~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e") == "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
  CHECK(*mutf7_encode("Entw\xc3\xbcrfe") == "Entw&APw-rfe");
  CHECK(*mutf7_encode("Gel\xc3\xb6schte Elemente") == "Gel&APY-schte Elemente");
  CHECK(*mutf7_encode("Tom & Jerry") == "Tom &- Jerry");
  CHECK(*mutf7_decode("Tom &- Jerry") == "Tom & Jerry");
  CHECK(*mutf7_decode("&2D3eAA-") == "\xf0\x9f\x98\x80");  // U+1F600 through a surrogate pair
  CHECK(*mutf7_encode("\xf0\x9f\x98\x80") == "&2D3eAA-");
  for (auto text : {"plain", "\xc3\xa4\xc3\xb6\xc3\xbc \xe2\x82\xac x", "&&", "a\xe2\x82\xac&b"}) {
    auto enc = mutf7_encode(text);
    REQUIRE(enc);
    CHECK(*mutf7_decode(*enc) == text);
  }
}

TEST_CASE("modified UTF-7 rejects malformed input", "[imap][mutf7][malformed]") {
  for (auto bad : {"&", "&U,BTFw", "&U=-", "&AGE-", "&2D0-", "caf\xc3\xa9", "&3gA-", "&APw", "&APy-"}) {
    INFO(bad);
    auto r = mutf7_decode(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == mf::Errc::Protocol);
  }
  CHECK_FALSE(mutf7_encode("\xff"));
  CHECK_FALSE(mutf7_encode("\xc3"));
  CHECK_FALSE(mutf7_encode("\xed\xa0\x80"));  // an encoded surrogate
}

TEST_CASE("INTERNALDATE parses to an instant and prints back", "[imap][date]") {
  auto d = parse_date_time("17-Jul-1996 02:44:25 -0700");
  REQUIRE(d);
  CHECK(d->epoch == 837596665);
  CHECK(d->zone_minutes == -420);
  CHECK(format_date_time(*d) == "17-Jul-1996 02:44:25 -0700");
  auto spaced = parse_date_time(" 7-Feb-2003 00:00:00 +0000");
  REQUIRE(spaced);
  CHECK(format_date_time(*spaced) == "07-Feb-2003 00:00:00 +0000");
  CHECK(parse_date_time("01-Jan-1970 01:00:00 +0100")->epoch == 0);
  for (auto bad : {"", "17-Jux-1996 02:44:25 -0700", "17-Jul-1996 02:44:25", "32-Jul-1996 02:44:25 +0000",
                   "17-Jul-1996 24:00:00 +0000", "17-Jul-96 02:44:25 +0000"}) {
    INFO(bad);
    CHECK_FALSE(parse_date_time(bad));
  }
}

namespace {
std::string joined(const std::vector<WirePiece>& pieces) {
  std::string out;
  for (const auto& p : pieces) out += p.bytes();
  return out;
}
}  // namespace

TEST_CASE("writer picks atom, quoted string or literal", "[imap][writer]") {
  auto pieces = CommandBuilder("a1", "LOGIN").astring("alice").astring("p a\"ss").finish().value();
  CHECK(joined(pieces) == "a1 LOGIN alice \"p a\\\"ss\"\r\n");
  CHECK(pieces.size() == 1);

  auto sync = CommandBuilder("a2", "SELECT").astring("Entw\xc3\xbcrfe").finish().value();
  REQUIRE(sync.size() == 2);
  CHECK(sync[0].sync_after);
  CHECK(joined(sync) == "a2 SELECT {9}\r\nEntw\xc3\xbcrfe\r\n");

  std::string message = "Subject: hi\r\n\r\nbody\r\n";
  auto plus = CommandBuilder("a3", "APPEND", true)
                  .astring("INBOX")
                  .flag_list({"\\Seen", "$Label1"})
                  .string("17-Jul-1996 02:44:25 -0700")
                  .literal(message)
                  .finish().value();
  CHECK(joined(plus) == "a3 APPEND INBOX (\\Seen $Label1) \"17-Jul-1996 02:44:25 -0700\" {" + std::to_string(message.size()) + "+}\r\n" + message + "\r\n");
  for (const auto& p : plus) CHECK_FALSE(p.sync_after);
  CHECK(plus[1].is_borrowed);

  CHECK(joined(CommandBuilder("a4", "LIST").string("").string("*").finish().value()) == "a4 LIST \"\" \"*\"\r\n");
  CHECK(joined(CommandBuilder("a5", "FETCH").raw("1:*").flag_list({}).finish().value()) == "a5 FETCH 1:* ()\r\n");
}

TEST_CASE("writer refuses what its grammar cannot carry, naming it", "[imap][writer]") {
  // A keyword a hostile source sent as a literal with a command in it.
  auto injected = CommandBuilder("a1", "APPEND").astring("INBOX").flag_list({"\\Seen", "x\r\nX1 CREATE Injected"}).finish();
  REQUIRE_FALSE(injected);
  CHECK(injected.error().code == mf::Errc::Perm);
  CHECK(injected.error().message.find("x\\x0d\\x0aX1 CREATE Injected") != std::string::npos);
  CHECK_FALSE(CommandBuilder("a2", "STORE").flag_list({"a b)"}).finish());
  CHECK_FALSE(CommandBuilder("a3", "STORE").flag_list({"\\"}).finish());
  CHECK_FALSE(CommandBuilder("a4", "FETCH").raw("1:* (FLAGS)\r\na5 LOGOUT").finish());
  CHECK_FALSE(CommandBuilder("a5", "AUTHENTICATE").atom("PLAIN X").finish());
  CHECK_FALSE(CommandBuilder("a6", "SELECT").astring(std::string("a\0b", 3)).finish());
  CHECK(CommandBuilder("a7", "STORE").flag_list({"\\Seen", "$Label1", "NonJunk"}).finish());
  CHECK(is_flag_text("\\Answered"));
  CHECK_FALSE(is_flag_text("a]"));
  CHECK_FALSE(is_flag_text(""));
}

TEST_CASE("atoms and quotable strings are classified by RFC 9051", "[imap][writer]") {
  CHECK(is_atom_text("INBOX"));
  CHECK_FALSE(is_atom_text("a b"));
  CHECK_FALSE(is_atom_text("a*"));
  CHECK_FALSE(is_atom_text(""));
  CHECK(is_quotable("a b"));
  CHECK_FALSE(is_quotable("a\r\nb"));
  CHECK_FALSE(is_quotable("\xc3\xa4"));
}

TEST_CASE("commands parse into tag, name and arguments", "[imap][command]") {
  Frame frame{"A1 UID fetch 1:* (UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)]<0.100>)\r\n", {}};
  auto c = parse_command(frame);
  REQUIRE(c);
  CHECK(c->tag == "A1");
  CHECK(c->uid);
  CHECK(c->name == "FETCH");
  REQUIRE(c->args.size() == 2);
  CHECK(c->args[0].text == "1:*");
  REQUIRE(c->args[1].items.size() == 3);
  CHECK(c->args[1].items[2].text == "BODY.PEEK[HEADER.FIELDS (SUBJECT)]<0.100>");

  Frame append{"A2 APPEND \"Sent Items\" (\\Seen) {5+}\r\n\r\n", {FrameLiteral{5, "hello"}}};
  auto a = parse_command(append);
  REQUIRE(a);
  CHECK(a->name == "APPEND");
  CHECK(a->args[0].text == "Sent Items");
  CHECK(a->args[2].literal);
  CHECK(a->args[2].text == "hello");

  Frame noop{"a3 NOOP\r\n", {}};
  CHECK(parse_command(noop)->args.empty());

  // '[' without a ']' on the line is an ATOM-CHAR like any other (imaptest's atoms group).
  Frame atom{"a4 SELECT !#$&'+,-.0123456789:;<=>?@^_`|[}\r\n", {}};
  auto s = parse_command(atom);
  REQUIRE(s);
  REQUIRE(s->args.size() == 1);
  CHECK(s->args[0].text == "!#$&'+,-.0123456789:;<=>?@^_`|[}");
}

TEST_CASE("a tag is any ASTRING-CHAR but the plus sign, brackets included (RFC 9051 §9)", "[imap][command]") {
  for (std::string tag : {"a]1", "x[2", "A.1-b_c]", "~tag!"}) {
    Frame frame{tag + " NOOP\r\n", {}};
    auto c = parse_command(frame);
    INFO(tag);
    REQUIRE(c);
    CHECK(c->tag == tag);
    CHECK(c->name == "NOOP");
  }
  for (std::string bad : {"a+1", "*", "a%", "a\\b", "a\"b", "a(b", "a{1}"}) {
    Frame frame{bad + " LOGIN alice secret\r\n", {}};
    auto c = parse_command(frame);
    INFO(bad);
    REQUIRE_FALSE(c);
    CHECK(c.error().where.find("secret") == std::string::npos);  // the line's rest is not repeated
  }
}

TEST_CASE("malformed commands name their tag", "[imap][command][malformed]") {
  Frame bad{"A9 SELECT \"unterminated\r\n", {}};
  auto c = parse_command(bad);
  REQUIRE_FALSE(c);
  CHECK(c.error().where == "A9");
  Frame plus{"+tag NOOP\r\n", {}};
  CHECK_FALSE(parse_command(plus));
  Frame empty{"\r\n", {}};
  CHECK_FALSE(parse_command(empty));
}
