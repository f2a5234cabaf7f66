#include "imap/response_writer.h"

#include "imap/framer.h"
#include "imap/response.h"

#include <random>

#include "tests/result_printer.h"

using namespace mf::imap;

namespace {

// Frames the bytes as a client does and parses the one response in them.
Response read_back(const std::string& wire) {
  Framer::Options options;
  options.server_responses = true;
  Framer framer(options);
  framer.feed(wire);
  auto frame = framer.next();
  INFO(wire);
  REQUIRE(frame);
  REQUIRE(*frame);
  CHECK(framer.buffered() == 0);  // exactly one response: nothing left over
  auto parsed = parse_response(**frame);
  REQUIRE(parsed);
  return std::move(*parsed);
}

std::string random_bytes(std::mt19937& rng, std::size_t max) {
  // Every byte value, with the ones that matter to the framing common.
  static const std::string kTricky = "\r\n\0{}[]()\" \\*~+%";
  std::uniform_int_distribution<std::size_t> length(0, max);
  std::uniform_int_distribution<int> pick(0, 3), any(0, 255);
  std::uniform_int_distribution<std::size_t> tricky(0, kTricky.size() - 1);
  std::string out(length(rng), '\0');
  for (auto& c : out) c = pick(rng) == 0 ? kTricky[tricky(rng)] : static_cast<char>(any(rng));
  return out;
}

}  // namespace

TEST_CASE("a FETCH response the writer makes reads back as written whatever the message holds", "[imap][writer]") {
  std::mt19937 rng(20261202);
  std::vector<std::string> flag_pool = {"\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft", "$Label1", "Junk"};
  for (int round = 0; round < 500; ++round) {
    std::string body = random_bytes(rng, 300);
    std::string internaldate = "02-Dec-2026 18:06:00 +0100";
    std::vector<std::string> flags;
    for (const auto& f : flag_pool)
      if (rng() % 2) flags.push_back(f);
    std::uint32_t seq = 1 + rng() % 100000, uid = 1 + rng() % 4000000000u;
    ResponseWriter w;
    w.begin_untagged().raw(std::to_string(seq) + " FETCH (UID " + std::to_string(uid) + " FLAGS ").flag_list(flags);
    w.raw(" INTERNALDATE ").string(internaldate).raw(" RFC822.SIZE " + std::to_string(body.size()));
    w.raw(" BODY[] ").literal(body).raw(")").end();
    auto r = read_back(w.buffer());
    auto* fetch = std::get_if<FetchData>(&r);
    REQUIRE(fetch);
    CHECK(fetch->seq == seq);
    CHECK(fetch->uid == uid);
    REQUIRE(fetch->flags);
    CHECK(*fetch->flags == flags);
    CHECK(fetch->internaldate == internaldate);
    CHECK(fetch->size == body.size());
    auto* section = fetch->section("BODY[");
    REQUIRE(section);
    CHECK(section->data.text == body);
  }
}

TEST_CASE("a string is quoted or a literal as its bytes need and reads back the same", "[imap][writer]") {
  std::mt19937 rng(7);
  for (int round = 0; round < 500; ++round) {
    std::string name = random_bytes(rng, 60);
    ResponseWriter w;
    w.begin_untagged().raw("STATUS ").astring(name).raw(" (MESSAGES 3)").end();
    auto r = read_back(w.buffer());
    auto* status = std::get_if<StatusData>(&r);
    REQUIRE(status);
    CHECK(status->mailbox == name);
  }
  ResponseWriter nil;
  nil.begin_untagged().raw("STATUS ").astring("NIL").raw(" (MESSAGES 3)").end();
  CHECK(nil.buffer() == "* STATUS \"NIL\" (MESSAGES 3)\r\n");  // as an atom it would read as NIL
}

TEST_CASE("response text cannot end a response early or smuggle in another", "[imap][writer]") {
  ResponseWriter w;
  w.status("a1", Status::No, "", "no such mailbox\r\na2 OK [READ-WRITE] fake\r\n{5}");
  CHECK(w.buffer().find("\r\n") == w.buffer().size() - 2);  // one line
  auto r = read_back(w.buffer());
  auto* s = std::get_if<StatusResponse>(&r);
  REQUIRE(s);
  CHECK(s->tag == "a1");
  CHECK(s->status == Status::No);
  CHECK(s->text.find("fake") != std::string::npos);  // kept as text
  ResponseWriter empty;
  empty.status("*", Status::Ok, "UIDNEXT 4", "");
  auto e = read_back(empty.buffer());
  auto& es = std::get<StatusResponse>(e);
  REQUIRE(es.code);
  CHECK(es.code->name == "UIDNEXT");
  CHECK(es.code->number(0) == 4u);
  CHECK_FALSE(es.text.empty());  // RFC 9051 resp-text: 1*TEXT-CHAR
}

TEST_CASE("8-bit response text is made 7-bit", "[imap][writer]") {
  CHECK(response_text("RFC 9051 \xc2\xa7" "9: \xff") == "RFC 9051 section 9: ?");
}
