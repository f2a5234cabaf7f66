#include "archive/frame.h"

#include <zlib.h>

#include <algorithm>

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
  if (flags > 3 || (flags == 2) || (flags == 3 && h.kind != FrameKind::Message))
    return make_error(Errc::Corrupt, "unknown frame flags " + std::to_string(flags));
  h.compressed = flags & 1;
  h.delta = flags & 2;
  return h;
}

}  // namespace mf::archive
