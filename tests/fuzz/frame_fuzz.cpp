// libFuzzer: archive frames (a torn or altered segment is input too) and
// message Date: headers. Two ways in: the input as a frame as it lies in a
// segment (header, then payload); and the input's tail compressed into a
// real zstd frame that the input's first bytes then damage (a flipped byte,
// a cut, a wrong content size, a delta flag), so that decompression is
// reached: an undamaged frame must give the bytes back, a damaged one an
// error or bytes of the size its header claims, never a crash.
#include "archive/frame.h"
#include "mime/date.h"

#include <zstd.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace {

using mf::archive::FrameHeader;
using mf::archive::FrameKind;

const std::string kBase = "From: a@example.org\r\nSubject: base\r\n\r\n";

void as_stored(std::string_view bytes) {
  auto header = mf::archive::decode_header(bytes);
  if (!header) return;
  // What decodes must encode to the same bytes.
  if (mf::archive::encode_header(*header) != bytes.substr(0, mf::archive::kFrameHeaderSize)) __builtin_trap();
  auto payload = bytes.substr(mf::archive::kFrameHeaderSize);
  (void)mf::archive::delta_base(*header, payload);
  if (auto content = mf::archive::frame_content(*header, payload, nullptr, "fuzz", &kBase))
    if (content->size() != header->content_size) __builtin_trap();
}

void damaged(std::string_view bytes) {
  if (bytes.size() < 8) return;
  auto at = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
  std::string_view content = bytes.substr(8);
  bool delta = at(0) & 1;
  std::string frame(ZSTD_compressBound(content.size()), '\0');
  std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> cctx(ZSTD_createCCtx(), &ZSTD_freeCCtx);
  if (delta) ZSTD_CCtx_refPrefix(cctx.get(), kBase.data(), kBase.size());
  std::size_t n = ZSTD_compress2(cctx.get(), frame.data(), frame.size(), content.data(), content.size());
  if (ZSTD_isError(n)) return;
  frame.resize(n);
  bool intact = true;
  if (at(0) & 2) {  // a flipped byte
    frame[at(1) % frame.size()] ^= static_cast<char>(at(2) | 1);
    intact = false;
  }
  if (at(0) & 4) {  // cut short
    frame.resize(at(3) % frame.size());
    intact = false;
  }
  FrameHeader h;
  h.kind = FrameKind::Message;
  h.compressed = true;
  h.delta = delta;
  h.content_size = content.size();
  if (at(0) & 8) {  // a size the frame does not hold
    h.content_size = (static_cast<std::uint64_t>(at(4)) << 24 | at(5) << 16 | at(6) << 8 | at(7)) % (64u << 20);
    intact = intact && h.content_size == content.size();
  }
  std::string payload = delta ? mf::archive::delta_prefix(1) + frame : frame;
  auto out = mf::archive::frame_content(h, payload, nullptr, "fuzz", &kBase);
  if (intact && (!out || *out != content)) __builtin_trap();
  if (out && out->size() != h.content_size) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  as_stored(bytes);
  damaged(bytes);
  (void)mf::mime::parse_date(bytes);
  return 0;
}
