// Packs (docs/formats/archive.md, format 3): a sealed segment rewritten
// for size. Its items (heads, bodies, events, dictionaries: the contents
// of the segment's frames, uncompressed and checked) are grouped by kind
// into blocks of about 4 MB, each one zstd frame at a high level with its
// checksum; a table (one zstd frame) says where each item is; a footer
// says where the table is. An item is read by decompressing its block up
// to its end, never more: random access costs at most one block.
//
//   header   64 bytes: "MFPK", u8 version (1), 3 zero bytes, u32 segment,
//            u32 generation, 44 zero bytes, u32 CRC-32 of bytes 0..59
//   blocks   zstd frames, one after another
//   table    zstd frame of: u32 blocks; per block u64 file offset, u64
//            stored size, u64 content size; u64 items; per item u8 kind,
//            varint block, varint size (offsets follow from the order)
//   footer   64 bytes: "MFPK", u8 version, 3 zero, u64 table offset, u64
//            table stored size, u64 table content size, u64 items, u32
//            blocks, u64 file size, 8 zero, u32 CRC-32 of bytes 0..59
// Integers are little-endian. A pack is written once and never changed:
// a purge writes the next generation beside it.
#pragma once

#include "archive/frame.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mf::archive {

constexpr std::uint64_t kPackBlockSize = 4u << 20;
constexpr int kPackLevel = 19;

// DIR/segments/NNNNNNNN.pack (generation 0) or NNNNNNNN.G.pack.
std::string pack_path(const std::string& dir, std::uint32_t id, std::uint32_t generation);
std::string pack_file_name(std::uint32_t id, std::uint32_t generation);
// The pack files in DIR/segments: segment number -> its generations, ascending.
std::map<std::uint32_t, std::vector<std::uint32_t>> pack_files(const std::string& dir);

struct PackItem {
  FrameKind kind = FrameKind::Message;
  std::uint32_t block = 0;
  std::uint64_t offset = 0;  // in the block's content
  std::uint64_t size = 0;
};

class PackWriter {
 public:
  // Creates `path` (it must not exist). `level`: zstd's, 1..22.
  [[nodiscard]] static Result<PackWriter> create(const std::string& path, std::uint32_t segment,
                                                 std::uint32_t generation, int level = kPackLevel);
  PackWriter(PackWriter&&) noexcept;
  PackWriter& operator=(PackWriter&&) noexcept;
  ~PackWriter();
  // Adds an item; returns its number in the pack (what the catalog names).
  [[nodiscard]] Result<std::uint64_t> add(FrameKind kind, std::string_view content);
  // The last blocks, the table and the footer; fsynced, with its directory.
  // Returns the file's size.
  [[nodiscard]] Result<std::uint64_t> finish();

 private:
  struct State;
  explicit PackWriter(std::unique_ptr<State> state);
  std::unique_ptr<State> s_;
};

// A pack opened for reading: its table read and checked; the block last
// read is kept decompressed as far as it was needed (items read in order
// decompress each block once).
class Pack {
 public:
  [[nodiscard]] static Result<std::shared_ptr<Pack>> open(const std::string& path);
  ~Pack();
  const std::vector<PackItem>& items() const { return items_; }
  std::uint64_t file_size() const { return file_size_; }
  std::uint32_t blocks() const { return static_cast<std::uint32_t>(blocks_.size()); }
  // Item `number`'s content; Errc::Corrupt naming the pack, block and item.
  [[nodiscard]] Result<std::string> read(std::uint64_t number, FrameKind kind);
  // Every item in number order, each block decompressed whole once (its
  // checksum checked). A block that cannot be read is reported to
  // `damaged` (with the items it held) and skipped when `damaged` is given,
  // else the scan fails there.
  struct Damaged {
    std::uint32_t block = 0;
    std::uint64_t first = 0, last = 0;  // the items lost with it
    std::string problem;
  };
  [[nodiscard]] Result<void> scan(const std::function<Result<void>(std::uint64_t number, const PackItem& item,
                                                                   std::string_view content)>& visit,
                                  std::vector<Damaged>* damaged);
  std::string where(std::uint64_t number) const;
  const std::string& path() const { return path_; }

 private:
  struct Block {
    std::uint64_t offset = 0, stored = 0, content = 0;
  };
  Pack() = default;
  Result<void> load_block(std::uint32_t block, std::uint64_t upto);
  int fd_ = -1;
  std::string path_;
  std::uint64_t file_size_ = 0;
  std::vector<Block> blocks_;
  std::vector<PackItem> items_;
  // The block being read: its stored bytes, what has been decompressed of it.
  std::int64_t cached_ = -1;
  std::string stored_, content_;
  std::uint64_t consumed_ = 0;
  std::shared_ptr<void> dctx_;
};

}  // namespace mf::archive
