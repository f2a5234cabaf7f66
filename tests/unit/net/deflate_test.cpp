#include "net/deflate.h"

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::net;

TEST_CASE("deflate streams carry commands across in any slicing", "[net][deflate]") {
  DeflateStreams client, server;
  std::string wire;
  std::string expected;
  for (int i = 0; i < 200; ++i) {
    std::string command = "a" + std::to_string(i) + " UID FETCH 1:* (UID FLAGS BODY.PEEK[])\r\n";
    expected += command;
    REQUIRE(client.compress(command, wire));  // flushed: each command is complete on the wire
  }
  CHECK(wire.size() < expected.size() / 2);
  std::string received;
  for (std::size_t pos = 0; pos < wire.size(); pos += 7)  // delivered in 7-byte reads
    REQUIRE(server.decompress(std::string_view(wire).substr(pos, 7), received));
  CHECK(received == expected);
}

TEST_CASE("a corrupt compressed stream is a protocol error", "[net][deflate]") {
  DeflateStreams streams;
  std::string out;
  auto bad = streams.decompress(std::string("\xff\xff\xff\xff garbage", 12), out);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == Errc::Protocol);
}
