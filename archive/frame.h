// One frame of an archive segment (docs/formats/archive.md): a 64-byte
// header that describes itself, then the payload. Pure encoding and
// decoding, no I/O.
//
//   0  "MFRM"            magic
//   4  u8  version (1)
//   5  u8  kind          1 message head, 2 event (JSON), 3 zstd dictionary, 4 message body
//   6  u16 dictionary    0: none, else the zstd dictionary's number
//   8  u64 payload size  bytes stored after the header
//  16  u64 content size  bytes of the message or JSON, uncompressed
//  24  32  SHA-256       of the content
//  56  u32 flags         bit 0: the payload is a zstd frame of the content
//                        bit 1: (heads) a delta: the payload is the u64 number of
//                               the base message, then a zstd frame compressed
//                               with the base message's head as its prefix
//  60  u32 CRC-32        of bytes 0..59: a torn header is told from a bad one
// Integers are little-endian.
#pragma once

#include "archive/dictionary.h"
#include "core/error.h"
#include "core/sha256.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace mf::archive {

// A message is stored as its head (the header section with the empty line
// ending it) and its body, each a frame; a body is stored once however many
// messages end with it (copies of one mail that differ in a header), and
// the head of such a copy is stored as a delta on the head of the first
// message stored with that body.
enum class FrameKind : std::uint8_t { Message = 1, Event = 2, Dictionary = 3, Body = 4 };

struct FrameHeader {
  FrameKind kind = FrameKind::Message;
  std::uint16_t dictionary = 0;
  std::uint64_t payload_size = 0;
  std::uint64_t content_size = 0;
  Digest sha256{};
  bool compressed = false;  // flags bit 0
  bool delta = false;       // flags bit 1 (with bit 0, kind Message only)
};

constexpr std::size_t kFrameHeaderSize = 64;
// The most a frame may hold: a message larger than this is not archived
// (rejected, with that reason); a header claiming more is corrupt, so an
// altered size cannot make a reader allocate without bound.
constexpr std::uint64_t kMaxContentSize = 1ull << 30;
constexpr std::uint64_t kMaxPayloadSize = kMaxContentSize + (kMaxContentSize >> 7) + (1 << 20);  // zstd's bound, and more

std::string encode_header(const FrameHeader& header);
// Errc::Corrupt naming what is wrong (magic, version, kind, flags, checksum).
[[nodiscard]] Result<FrameHeader> decode_header(std::string_view bytes);

// A frame's content: the payload itself, or the payload decompressed, the
// output growing as zstd produces it (an altered size allocates nothing zstd
// does not fill). `dictionary`: the one the header names (null for none);
// `base`: the base message's head, for a delta head. Errc::Corrupt naming
// `where` when the payload does not give the header's content.
[[nodiscard]] Result<std::string> frame_content(const FrameHeader& header, std::string_view payload,
                                                const Dictionary* dictionary, const std::string& where,
                                                const std::string* base = nullptr);
// A delta head's payload starts with its base message's number (8 bytes);
// the zstd frame follows.
std::string delta_prefix(std::int64_t base);
// The base message of a delta head (0 for any other frame).
std::int64_t delta_base(const FrameHeader& header, std::string_view payload);

}  // namespace mf::archive
