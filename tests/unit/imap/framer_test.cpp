#include "imap/framer.h"

#include "tests/result_printer.h"

using namespace mf::imap;

namespace {
Frame next_frame(Framer& f) {
  auto r = f.next();
  REQUIRE(r);
  REQUIRE(r->has_value());
  return std::move(**r);
}
}  // namespace

TEST_CASE("framer returns a line as one frame", "[imap][framer]") {
  Framer f;
  f.feed("* OK IMAP4rev1 ready\r\n");
  auto frame = next_frame(f);
  CHECK(frame.text == "* OK IMAP4rev1 ready\r\n");
  CHECK(frame.literals.empty());
}

TEST_CASE("framer says need more until the line is complete", "[imap][framer]") {
  Framer f;
  f.feed("* OK IMAP4");
  auto r = f.next();
  REQUIRE(r);
  CHECK_FALSE(r->has_value());
  f.feed("rev1\r\n* 3 EXISTS\r\n");
  CHECK(next_frame(f).text == "* OK IMAP4rev1\r\n");
  CHECK(next_frame(f).text == "* 3 EXISTS\r\n");
}

TEST_CASE("framer collects literals byte by byte", "[imap][framer]") {
  std::string wire = "* 1 FETCH (UID 7 BODY[] {12}\r\nhello\r\nworld FLAGS (\\Seen))\r\n";
  Framer f;
  std::optional<Frame> got;
  for (char c : wire) {
    f.feed(std::string_view(&c, 1));
    auto r = f.next();
    REQUIRE(r);
    if (r->has_value()) got = std::move(**r);
  }
  REQUIRE(got);
  REQUIRE(got->literals.size() == 1);
  CHECK(got->literals[0].data == "hello\r\nworld");
  CHECK(got->text == "* 1 FETCH (UID 7 BODY[] {12}\r\n FLAGS (\\Seen))\r\n");
}

TEST_CASE("framer handles empty and non-synchronizing literals", "[imap][framer]") {
  Framer f;
  f.feed("a1 APPEND INBOX {0+}\r\n {3+}\r\nabc\r\n");
  auto frame = next_frame(f);
  REQUIRE(frame.literals.size() == 2);
  CHECK(frame.literals[0].data.empty());
  CHECK(frame.literals[1].data == "abc");
}

TEST_CASE("framer reports a synchronizing literal a server must answer", "[imap][framer]") {
  Framer f;
  f.feed("a1 LOGIN {5}\r\n");
  auto r = f.next();
  REQUIRE(r);
  CHECK_FALSE(r->has_value());
  REQUIRE(f.awaiting_sync_literal());
  CHECK(*f.awaiting_sync_literal() == 5);
  f.feed("alice secret\r\n");
  auto frame = next_frame(f);
  CHECK(frame.literals[0].data == "alice");
  CHECK_FALSE(f.awaiting_sync_literal());
}

TEST_CASE("framer streams large literals to a sink", "[imap][framer]") {
  std::string streamed;
  Framer::Options options;
  options.stream_threshold = 8;
  options.sink = [&](std::size_t index, std::uint64_t total, std::string_view chunk) {
    CHECK(index == 0);
    CHECK(total == 20);
    streamed.append(chunk);
  };
  Framer f(options);
  f.feed("* 1 FETCH (BODY[] {20}\r\n0123456789");
  auto r = f.next();
  REQUIRE(r);
  CHECK_FALSE(r->has_value());
  f.feed("abcdefghij)\r\n");
  auto frame = next_frame(f);
  CHECK(frame.literals[0].streamed);
  CHECK(frame.literals[0].data.empty());
  CHECK(streamed == "0123456789abcdefghij");
}

TEST_CASE("framer enforces its limits", "[imap][framer][limits]") {
  Framer::Options options;
  options.limits.max_line = 16;
  options.limits.max_literal = 100;
  {
    Framer f(options);
    f.feed(std::string(40, 'x'));
    auto r = f.next();
    REQUIRE_FALSE(r);
    CHECK(r.error().code == mf::Errc::Limit);
  }
  {
    Framer f(options);
    f.feed("* 1 FETCH {101}\r\n");
    auto r = f.next();
    REQUIRE_FALSE(r);
    CHECK(r.error().code == mf::Errc::Limit);
    CHECK(r.error().message.find("101") != std::string::npos);
  }
  {
    Framer f(options);
    f.feed("* {99999999999999999999}\r\n");
    REQUIRE_FALSE(f.next());
  }
}

namespace {
Framer response_framer() {
  Framer::Options options;
  options.server_responses = true;
  return Framer(options);
}
}  // namespace

TEST_CASE("framer takes no literal from a status response ending in {N}", "[imap][framer]") {
  // RFC 9051 §7.1: resp-text holds no literal; a hostile server's "{2}" there
  // must not swallow the start of the FETCH that follows.
  Framer f = response_framer();
  f.feed("* OK [ALERT] see {2}\r\n* 1 FETCH (UID 1 BODY[] {3}\r\nabc)\r\na1 NO see {5}\r\n+ go on {1}\r\n");
  auto alert = next_frame(f);
  CHECK(alert.text == "* OK [ALERT] see {2}\r\n");
  CHECK(alert.literals.empty());
  auto fetch = next_frame(f);
  REQUIRE(fetch.literals.size() == 1);
  CHECK(fetch.literals[0].data == "abc");
  CHECK(next_frame(f).literals.empty());
  CHECK(next_frame(f).literals.empty());
}

TEST_CASE("framer takes no literal from responses made of atoms and numbers", "[imap][framer]") {
  Framer f = response_framer();
  f.feed("* CAPABILITY IMAP4rev1 {3}\r\n* 3 EXISTS {1}\r\n* FLAGS (a {2}\r\n* BYE {9}\r\n");
  for (int i = 0; i < 4; ++i) CHECK(next_frame(f).literals.empty());
  CHECK(f.buffered() == 0);
}

TEST_CASE("framer takes a literal only where a value can stand", "[imap][framer]") {
  Framer f = response_framer();
  f.feed("* LIST () \"/\" foo{2}\r\n* LIST () \"/\" {2}\r\nab\r\n");
  CHECK(next_frame(f).literals.empty());
  auto list = next_frame(f);
  REQUIRE(list.literals.size() == 1);
  CHECK(list.literals[0].data == "ab");
}

TEST_CASE("framer reports an empty synchronizing literal a server must answer", "[imap][framer]") {
  Framer f;
  f.feed("a1 LOGIN {0}\r\n");
  auto r = f.next();
  REQUIRE(r);
  CHECK_FALSE(r->has_value());
  REQUIRE(f.awaiting_sync_literal());
  CHECK(*f.awaiting_sync_literal() == 0);
  f.feed(" secret\r\n");
  auto frame = next_frame(f);
  REQUIRE(frame.literals.size() == 1);
  CHECK(frame.literals[0].data.empty());
  CHECK_FALSE(f.awaiting_sync_literal());
}

TEST_CASE("a server's framer refuses a synchronizing literal over the limit and reads on", "[imap][framer][limits]") {
  Framer::Options options;
  options.limits.max_literal = 100;
  options.limits.max_literals_per_frame = 2;
  options.refuse_sync_literals = true;
  Framer f(options);
  f.feed("a1 APPEND INBOX {101}\r\n");
  Frame refused = next_frame(f);
  REQUIRE(refused.refused);
  CHECK(refused.refused->text.find("101 bytes exceeds the limit of 100") != std::string::npos);
  CHECK(refused.refused->code == "TOOBIG");
  CHECK(refused.text == "a1 APPEND INBOX {101}\r\n");
  CHECK_FALSE(f.awaiting_sync_literal());  // no "+" for it
  CHECK(f.sync_literals_seen() == 0);
  // The client, answered NO, goes on with its next command.
  f.feed("a2 NOOP\r\n");
  Frame next = next_frame(f);
  CHECK_FALSE(next.refused);
  CHECK(next.text == "a2 NOOP\r\n");
  // One literal too many is refused the same way.
  f.feed("a3 X {1}\r\n");
  auto waiting = f.next();
  REQUIRE(waiting);
  CHECK_FALSE(waiting->has_value());
  CHECK(f.awaiting_sync_literal());
  f.feed("a {1}\r\n");
  f.feed("b {1}\r\n");
  CHECK(next_frame(f).refused);
  // A non-synchronizing literal is on its way already: the stream cannot be resynchronised.
  Framer g(options);
  g.feed("a1 APPEND INBOX {101+}\r\n");
  auto r = g.next();
  REQUIRE_FALSE(r);
  CHECK(r.error().code == mf::Errc::Limit);
}

TEST_CASE("a server may refuse a synchronizing literal it waits on and the stream goes on", "[imap][framer]") {
  Framer f;
  f.feed("a1 APPEND INBOX {5}\r\n");
  auto waiting = f.next();
  REQUIRE(waiting);
  CHECK_FALSE(waiting->has_value());
  REQUIRE(f.awaiting_sync_literal());
  CHECK(f.pending_text() == "a1 APPEND INBOX {5}\r\n");
  CHECK(f.pending_literal_bytes() == 5);
  f.refuse_pending_literal({"OVERQUOTA", "does not fit"});
  CHECK(f.sync_literals_seen() == 0);  // no "+" owed
  Frame refused = next_frame(f);
  REQUIRE(refused.refused);
  CHECK(refused.refused->code == "OVERQUOTA");
  CHECK(refused.literals.empty());
  f.feed("a2 NOOP\r\n");
  CHECK(next_frame(f).text == "a2 NOOP\r\n");
}
