#include "archive/frame.h"

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::archive;

TEST_CASE("frame headers round-trip and describe themselves", "[archive][frame]") {
  FrameHeader h;
  h.kind = FrameKind::Event;
  h.dictionary = 7;
  h.payload_size = 123456789ull;
  h.content_size = 42;
  h.sha256 = sha256("hello");
  auto bytes = encode_header(h);
  REQUIRE(bytes.size() == kFrameHeaderSize);
  CHECK(bytes.substr(0, 4) == "MFRM");
  auto back = decode_header(bytes);
  REQUIRE(back);
  CHECK(back->kind == FrameKind::Event);
  CHECK(back->dictionary == 7);
  CHECK(back->payload_size == 123456789ull);
  CHECK(back->content_size == 42);
  CHECK(back->sha256 == h.sha256);
}

TEST_CASE("a changed, torn or foreign header is refused by name", "[archive][frame]") {
  FrameHeader h;
  h.payload_size = 10;
  auto bytes = encode_header(h);
  for (std::size_t i : {4u, 8u, 30u, 61u}) {
    auto bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 1);
    auto r = decode_header(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::Corrupt);
    CHECK_THAT(r.error().message, Catch::Contains("checksum"));
  }
  CHECK_THAT(decode_header(bytes.substr(0, 40)).error().message, Catch::Contains("cut short"));
  CHECK_THAT(decode_header(std::string(64, 'x')).error().message, Catch::Contains("bad magic"));
}

TEST_CASE("a header claiming more than a frame may hold is refused, before anything is allocated", "[archive][frame]") {
  FrameHeader h;
  h.content_size = kMaxContentSize + 1;
  CHECK_THAT(decode_header(encode_header(h)).error().message, Catch::Contains("more than a frame may hold"));
  h.content_size = kMaxContentSize;
  h.payload_size = kMaxPayloadSize + 1;
  CHECK_THAT(decode_header(encode_header(h)).error().message, Catch::Contains("more than a frame may hold"));
  h.payload_size = kMaxPayloadSize;
  CHECK(decode_header(encode_header(h)).has_value());
}

TEST_CASE("the delta flag is a head's, and only with compression", "[archive][frame]") {
  FrameHeader h;
  h.kind = FrameKind::Message;
  h.compressed = h.delta = true;
  auto back = decode_header(encode_header(h));
  REQUIRE(back);
  CHECK(back->delta);
  h.kind = FrameKind::Body;
  CHECK_THAT(decode_header(encode_header(h)).error().message, Catch::Contains("unknown frame flags 3"));
  h.kind = FrameKind::Message;
  h.compressed = false;
  CHECK_THAT(decode_header(encode_header(h)).error().message, Catch::Contains("unknown frame flags 2"));
}
