#include "archive/frame.h"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <memory>

namespace mf::archive {
namespace {

void put(std::string& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((value >> (8 * i)) & 0xff);
}

std::uint64_t get(std::string_view in, std::size_t at, int bytes) {
  std::uint64_t value = 0;
  for (int i = bytes - 1; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(in[at + i]);
  return value;
}

std::uint32_t crc_of(std::string_view bytes) {
  return static_cast<std::uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

}  // namespace

std::string encode_header(const FrameHeader& h) {
  std::string out = "MFRM";
  put(out, 1, 1);
  put(out, static_cast<std::uint8_t>(h.kind), 1);
  put(out, h.dictionary, 2);
  put(out, h.payload_size, 8);
  put(out, h.content_size, 8);
  out.append(reinterpret_cast<const char*>(h.sha256.data()), h.sha256.size());
  put(out, (h.compressed ? 1 : 0) | (h.delta ? 2 : 0), 4);
  put(out, crc_of(out), 4);
  return out;
}

Result<FrameHeader> decode_header(std::string_view b) {
  if (b.size() < kFrameHeaderSize) return make_error(Errc::Corrupt, "frame header cut short");
  if (b.substr(0, 4) != "MFRM") return make_error(Errc::Corrupt, "no frame starts here (bad magic)");
  if (crc_of(b.substr(0, 60)) != get(b, 60, 4)) return make_error(Errc::Corrupt, "frame header checksum mismatch");
  if (get(b, 4, 1) != 1) return make_error(Errc::Corrupt, "unknown frame version " + std::to_string(get(b, 4, 1)));
  FrameHeader h;
  auto kind = get(b, 5, 1);
  if (kind < 1 || kind > 4) return make_error(Errc::Corrupt, "unknown frame kind " + std::to_string(kind));
  h.kind = static_cast<FrameKind>(kind);
  h.dictionary = static_cast<std::uint16_t>(get(b, 6, 2));
  h.payload_size = get(b, 8, 8);
  h.content_size = get(b, 16, 8);
  for (std::size_t i = 0; i < 32; ++i) h.sha256[i] = static_cast<std::uint8_t>(b[24 + i]);
  if (h.content_size > kMaxContentSize || h.payload_size > kMaxPayloadSize)
    return make_error(Errc::Corrupt, "frame header claims " + std::to_string(std::max(h.content_size, h.payload_size)) +
                                         " bytes, more than a frame may hold");
  auto flags = get(b, 56, 4);
  if (flags > 3 || flags == 2 || (flags == 3 && h.kind != FrameKind::Message))
    return make_error(Errc::Corrupt, "unknown frame flags " + std::to_string(flags));
  h.compressed = flags & 1;
  h.delta = flags & 2;
  return h;
}

Result<std::string> frame_content(const FrameHeader& h, std::string_view payload, const Dictionary* dictionary,
                                  const std::string& where, const std::string* base) {
  auto corrupt = [&](const std::string& what) { return make_error(Errc::Corrupt, what, where); };
  if (!h.compressed) {
    if (payload.size() != h.content_size) return corrupt("frame content size does not match its payload");
    return std::string(payload);
  }
  if (h.delta) {
    if (!base) return corrupt("a delta head read without its base message's head");
    if (payload.size() < 8) return corrupt("a delta head frame too short for its base");
    payload.remove_prefix(8);
  }
  if (ZSTD_getFrameContentSize(payload.data(), payload.size()) != h.content_size)
    return corrupt("the zstd frame's content size is not the frame header's");
  bool with_dictionary = !h.delta && (h.kind == FrameKind::Message || h.kind == FrameKind::Body);
  if (h.dictionary != 0 && with_dictionary && !dictionary)
    return corrupt("dictionary " + std::to_string(h.dictionary) + " not found");
  thread_local std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx(ZSTD_createDCtx(), &ZSTD_freeDCtx);
  std::size_t r = ZSTD_DCtx_reset(ctx.get(), ZSTD_reset_session_and_parameters);
  if (!ZSTD_isError(r) && h.delta) r = ZSTD_DCtx_refPrefix(ctx.get(), base->data(), base->size());
  if (!ZSTD_isError(r) && with_dictionary && dictionary) {
    if (!dictionary->ddict) return make_error(Errc::Io, "zstd could not load dictionary " + std::to_string(h.dictionary), where);
    r = ZSTD_DCtx_refDDict(ctx.get(), dictionary->ddict.get());
  }
  // Room for what is claimed, but at most 4 MB ahead of what zstd has produced.
  std::string out(std::min<std::uint64_t>(h.content_size, 4u << 20), '\0');
  ZSTD_inBuffer in{payload.data(), payload.size(), 0};
  std::size_t produced = 0;
  while (!ZSTD_isError(r)) {
    ZSTD_outBuffer o{out.data(), out.size(), produced};
    r = ZSTD_decompressStream(ctx.get(), &o, &in);
    produced = o.pos;
    if (ZSTD_isError(r) || r == 0) break;  // an error, or the frame is whole
    if (produced < out.size()) {
      if (in.pos == in.size) return corrupt("cannot decompress: the zstd frame is cut short");
      continue;
    }
    if (out.size() >= h.content_size) return corrupt("the zstd frame holds more than its content size");
    out.resize(std::min<std::uint64_t>(h.content_size, out.size() * 2));
  }
  if (ZSTD_isError(r)) return corrupt(std::string("cannot decompress: ") + ZSTD_getErrorName(r));
  if (produced != h.content_size || in.pos != in.size) return corrupt("cannot decompress: wrong size");
  out.resize(produced);
  return out;
}

std::string delta_prefix(std::int64_t base) {
  std::string out;
  put(out, static_cast<std::uint64_t>(base), 8);
  return out;
}

std::int64_t delta_base(const FrameHeader& header, std::string_view payload) {
  if (!header.delta || payload.size() < 8) return 0;
  return static_cast<std::int64_t>(get(payload, 0, 8));
}

}  // namespace mf::archive
