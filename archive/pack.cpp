#include "archive/pack.h"

#include "archive/segment.h"
#include "core/file_system.h"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fcntl.h>
#include <future>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace mf::archive {
namespace {

constexpr std::size_t kPackHeaderSize = 64;
constexpr std::uint8_t kPackVersion = 1;
// The table of a pack holds a few bytes per item: a claim beyond this is corrupt.
constexpr std::uint64_t kMaxTableSize = 256u << 20;

Error io_error(const std::string& what, const std::string& path) {
  Errc code = errno == ENOSPC || errno == EDQUOT ? Errc::NoSpace : Errc::Io;
  return make_error(code, what + ": " + std::strerror(errno), path);
}

void put64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>(v >> (8 * i) & 0xff);
}
void put32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>(v >> (8 * i) & 0xff);
}
void put_varint(std::string& out, std::uint64_t v) {
  for (; v >= 0x80; v >>= 7) out += static_cast<char>((v & 0x7f) | 0x80);
  out += static_cast<char>(v);
}

// Reads little-endian integers from a buffer, remembering whether it ran out.
struct Cursor {
  std::string_view bytes;
  bool bad = false;
  std::uint64_t get(int size) {
    if (bytes.size() < static_cast<std::size_t>(size)) {
      bad = true;
      return 0;
    }
    std::uint64_t v = 0;
    for (int i = 0; i < size; ++i) v |= std::uint64_t{static_cast<unsigned char>(bytes[i])} << (8 * i);
    bytes.remove_prefix(size);
    return v;
  }
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (bytes.empty()) break;
      auto c = static_cast<unsigned char>(bytes.front());
      bytes.remove_prefix(1);
      v |= std::uint64_t{c & 0x7fu} << shift;
      if (!(c & 0x80)) return v;
    }
    bad = true;
    return 0;
  }
};

std::uint32_t crc_of(std::string_view bytes) {
  return static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

// 64 bytes: magic, version, the fields, zeros, CRC-32 of the first 60.
std::string sixty_four(const std::string& fields) {
  std::string out = "MFPK";
  out += static_cast<char>(kPackVersion);
  out.append(3, '\0');
  out += fields;
  out.resize(60, '\0');
  put32(out, crc_of(out));
  return out;
}

Result<std::string_view> check_sixty_four(std::string_view bytes, const std::string& what, const std::string& path) {
  if (bytes.size() != 64 || bytes.substr(0, 4) != "MFPK")
    return make_error(Errc::Corrupt, "not a pack (" + what + " lacks its magic)", path);
  Cursor crc{bytes.substr(60)};
  if (crc.get(4) != crc_of(bytes.substr(0, 60)))
    return make_error(Errc::Corrupt, "the pack's " + what + " does not match its checksum", path);
  if (static_cast<std::uint8_t>(bytes[4]) != kPackVersion)
    return make_error(Errc::Corrupt, "pack version " + std::to_string(static_cast<unsigned char>(bytes[4])) +
                                         " is not 1", path);
  return bytes.substr(8, 52);
}

int group_of(FrameKind kind) {
  switch (kind) {
    case FrameKind::Message: return 0;
    case FrameKind::Body: return 1;
    default: return 2;  // events and dictionaries: small, read in order
  }
}

Result<std::string> compress_block(std::string content, int level) {
  std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> ctx(ZSTD_createCCtx(), &ZSTD_freeCCtx);
  if (!ctx) return make_error(Errc::Io, "zstd: out of memory");
  std::string out(ZSTD_compressBound(content.size()), '\0');
  std::size_t r = ZSTD_CCtx_setParameter(ctx.get(), ZSTD_c_compressionLevel, level);
  if (!ZSTD_isError(r)) r = ZSTD_CCtx_setParameter(ctx.get(), ZSTD_c_checksumFlag, 1);
  if (!ZSTD_isError(r)) r = ZSTD_compress2(ctx.get(), out.data(), out.size(), content.data(), content.size());
  if (ZSTD_isError(r)) return make_error(Errc::Io, std::string("zstd: ") + ZSTD_getErrorName(r));
  out.resize(r);
  return out;
}

}  // namespace

std::string pack_file_name(std::uint32_t id, std::uint32_t generation) {
  char name[40];
  if (generation == 0) std::snprintf(name, sizeof name, "%08u.pack", id);
  else std::snprintf(name, sizeof name, "%08u.%u.pack", id, generation);
  return name;
}

std::string pack_path(const std::string& dir, std::uint32_t id, std::uint32_t generation) {
  return dir + "/segments/" + pack_file_name(id, generation);
}

std::map<std::uint32_t, std::vector<std::uint32_t>> pack_files(const std::string& dir) {
  std::map<std::uint32_t, std::vector<std::uint32_t>> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir + "/segments", ec)) {
    std::string name = entry.path().filename().string();
    unsigned id = 0, generation = 0;
    int used = 0;
    if (std::sscanf(name.c_str(), "%8u.pack%n", &id, &used) == 1 && static_cast<std::size_t>(used) == name.size()) {
      if (name == pack_file_name(id, 0)) out[id].push_back(0);
    } else if (std::sscanf(name.c_str(), "%8u.%u.pack%n", &id, &generation, &used) == 2 &&
               static_cast<std::size_t>(used) == name.size() && name == pack_file_name(id, generation)) {
      out[id].push_back(generation);
    }
  }
  for (auto& [id, generations] : out) std::sort(generations.begin(), generations.end());
  return out;
}

struct PackWriter::State {
  int fd = -1;
  std::string path;
  int level = kPackLevel;
  std::uint64_t size = 0;  // written so far
  struct Group {
    std::string content;
    std::vector<std::uint64_t> items;  // waiting for this group's next block
  };
  Group groups[3];
  std::vector<PackItem> items;
  struct Written {
    std::uint64_t offset, stored, content;
  };
  std::vector<Written> blocks;
  std::deque<std::pair<std::uint64_t, std::future<Result<std::string>>>> compressing;  // content size, frame
  unsigned workers = std::max(1u, std::min(4u, std::thread::hardware_concurrency()));

  ~State() {
    for (auto& c : compressing) c.second.wait();
    if (fd >= 0) file_system().close(fd);
  }
  Result<void> write(std::string_view bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = file_system().pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(size + done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return io_error("cannot write the pack", path);
      done += static_cast<std::size_t>(n);
    }
    size += bytes.size();
    return {};
  }
  // The oldest block being compressed, written.
  Result<void> write_oldest() {
    auto [content, frame] = std::move(compressing.front());
    compressing.pop_front();
    MF_TRY(bytes, frame.get());
    blocks.push_back({size, bytes.size(), content});
    return write(bytes);
  }
  // A group's content becomes the next block (numbered in the order begun;
  // written in that order), compressed on a worker.
  Result<void> seal_group(Group& g) {
    if (g.content.empty()) return {};
    auto block = static_cast<std::uint32_t>(blocks.size() + compressing.size());
    std::uint64_t offset = 0;
    for (auto item : g.items) {
      items[item].block = block;
      items[item].offset = offset;
      offset += items[item].size;
    }
    g.items.clear();
    if (compressing.size() >= workers) MF_CHECK(write_oldest());
    std::uint64_t content_size = g.content.size();
    compressing.emplace_back(content_size, std::async(std::launch::async, compress_block, std::move(g.content), level));
    g.content = std::string();
    return {};
  }
};

PackWriter::PackWriter(std::unique_ptr<State> state) : s_(std::move(state)) {}
PackWriter::PackWriter(PackWriter&&) noexcept = default;
PackWriter& PackWriter::operator=(PackWriter&&) noexcept = default;
PackWriter::~PackWriter() = default;

Result<PackWriter> PackWriter::create(const std::string& path, std::uint32_t segment, std::uint32_t generation,
                                      int level) {
  auto s = std::make_unique<State>();
  s->path = path;
  s->level = std::clamp(level, 1, ZSTD_maxCLevel());
  s->fd = file_system().open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (s->fd < 0) return io_error("cannot create the pack", path);
  std::string fields;
  put32(fields, segment);
  put32(fields, generation);
  MF_CHECK(s->write(sixty_four(fields)));
  return PackWriter(std::move(s));
}

Result<std::uint64_t> PackWriter::add(FrameKind kind, std::string_view content) {
  auto& g = s_->groups[group_of(kind)];
  std::uint64_t number = s_->items.size();
  s_->items.push_back({kind, 0, 0, content.size()});
  g.items.push_back(number);
  g.content.append(content);
  if (g.content.size() >= kPackBlockSize) MF_CHECK(s_->seal_group(g));
  return number;
}

Result<std::uint64_t> PackWriter::finish() {
  for (auto& g : s_->groups) MF_CHECK(s_->seal_group(g));
  while (!s_->compressing.empty()) MF_CHECK(s_->write_oldest());
  std::string table;
  put32(table, static_cast<std::uint32_t>(s_->blocks.size()));
  for (const auto& b : s_->blocks) put64(table, b.offset), put64(table, b.stored), put64(table, b.content);
  put64(table, s_->items.size());
  for (const auto& item : s_->items) {
    table += static_cast<char>(item.kind);
    put_varint(table, item.block);
    put_varint(table, item.size);
  }
  std::uint64_t table_offset = s_->size, table_content = table.size();
  MF_TRY(stored, compress_block(std::move(table), s_->level));
  MF_CHECK(s_->write(stored));
  std::string fields;
  put64(fields, table_offset);
  put64(fields, stored.size());
  put64(fields, table_content);
  put64(fields, s_->items.size());
  put32(fields, static_cast<std::uint32_t>(s_->blocks.size()));
  put64(fields, s_->size + 64);
  MF_CHECK(s_->write(sixty_four(fields)));
  if (file_system().fsync(s_->fd) != 0) return io_error("cannot sync the pack", s_->path);
  if (::fchmod(s_->fd, 0444) != 0) return io_error("cannot make the pack read-only", s_->path);
  MF_CHECK(sync_directory_of(s_->path));
  return s_->size;
}

// Reading.

static Result<void> pread_exactly(int fd, std::uint64_t offset, char* into, std::size_t size, const std::string& path) {
  std::size_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fd, into + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("cannot read the pack", path);
    if (n == 0) return make_error(Errc::Corrupt, "the pack is cut short", path);
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Pack::~Pack() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::shared_ptr<Pack>> Pack::open(const std::string& path) {
  std::shared_ptr<Pack> p(new Pack());
  p->path_ = path;
  p->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (p->fd_ < 0) return io_error("cannot open the pack", path);
  struct stat st{};
  if (::fstat(p->fd_, &st) != 0) return io_error("cannot read the pack", path);
  p->file_size_ = static_cast<std::uint64_t>(st.st_size);
  auto corrupt = [&](const std::string& what) { return make_error(Errc::Corrupt, what, path); };
  if (p->file_size_ < 2 * kPackHeaderSize) return corrupt("not a pack (too short for its header and footer)");
  std::string header(64, '\0'), footer(64, '\0');
  MF_CHECK(pread_exactly(p->fd_, 0, header.data(), 64, path));
  MF_CHECK(pread_exactly(p->fd_, p->file_size_ - 64, footer.data(), 64, path));
  MF_CHECK(check_sixty_four(header, "header", path));
  MF_TRY(fields, check_sixty_four(footer, "footer (an unfinished pack?)", path));
  Cursor f{fields};
  std::uint64_t table_offset = f.get(8), table_stored = f.get(8), table_content = f.get(8), items = f.get(8);
  std::uint64_t blocks = f.get(4), size = f.get(8);
  if (size != p->file_size_) return corrupt("the pack's footer says it has " + std::to_string(size) + " bytes, it has " +
                                            std::to_string(p->file_size_));
  if (table_offset < 64 || table_offset + table_stored + 64 != size || table_content > kMaxTableSize)
    return corrupt("the pack's footer places its table outside the file");
  std::string stored(table_stored, '\0');
  MF_CHECK(pread_exactly(p->fd_, table_offset, stored.data(), stored.size(), path));
  std::string table(table_content, '\0');
  std::size_t n = ZSTD_decompress(table.data(), table.size(), stored.data(), stored.size());
  if (ZSTD_isError(n) || n != table_content) return corrupt("the pack's table cannot be read");
  Cursor t{table};
  if (t.get(4) != blocks) return corrupt("the pack's table and footer disagree on its blocks");
  std::uint64_t end = 64;
  for (std::uint64_t b = 0; b < blocks && !t.bad; ++b) {
    Block block{t.get(8), t.get(8), t.get(8)};
    if (block.offset != end || block.content > kMaxContentSize + kPackBlockSize || block.stored > kMaxPayloadSize + kPackBlockSize)
      return corrupt("the pack's table places block " + std::to_string(b) + " wrong");
    end += block.stored;
    p->blocks_.push_back(block);
  }
  if (end != table_offset || t.get(8) != items) return corrupt("the pack's table does not add up to its file");
  std::vector<std::uint64_t> filled(p->blocks_.size(), 0);
  p->items_.reserve(std::min<std::uint64_t>(items, table.size()));
  for (std::uint64_t i = 0; i < items && !t.bad; ++i) {
    auto kind = t.get(1);
    std::uint64_t block = t.varint(), size_of = t.varint();
    if (t.bad || kind < 1 || kind > 4 || block >= p->blocks_.size() || size_of > kMaxContentSize)
      return corrupt("the pack's table names item " + std::to_string(i) + " wrong");
    p->items_.push_back({static_cast<FrameKind>(kind), static_cast<std::uint32_t>(block), filled[block], size_of});
    filled[block] += size_of;
  }
  if (t.bad || !t.bytes.empty()) return corrupt("the pack's table is cut short or too long");
  for (std::size_t b = 0; b < filled.size(); ++b)
    if (filled[b] != p->blocks_[b].content) return corrupt("block " + std::to_string(b) + " of the pack holds other sizes than its table");
  return p;
}

std::string Pack::where(std::uint64_t number) const {
  std::string out = path_ + " item " + std::to_string(number);
  if (number < items_.size()) out += " (block " + std::to_string(items_[number].block) + ")";
  return out;
}

// Decompresses block `block` until `upto` bytes of it are there, going on
// from where the last read of the same block stopped.
Result<void> Pack::load_block(std::uint32_t block, std::uint64_t upto) {
  const Block& b = blocks_[block];
  auto corrupt = [&](const std::string& what) {
    cached_ = -1;
    return make_error(Errc::Corrupt, "block " + std::to_string(block) + ": " + what, path_);
  };
  if (cached_ != block) {
    cached_ = -1;
    stored_.resize(b.stored);
    MF_CHECK(pread_exactly(fd_, b.offset, stored_.data(), stored_.size(), path_));
    if (!dctx_) dctx_ = std::shared_ptr<void>(ZSTD_createDCtx(), [](void* d) { ZSTD_freeDCtx(static_cast<ZSTD_DCtx*>(d)); });
    if (!dctx_) return make_error(Errc::Io, "zstd: out of memory", path_);
    ZSTD_DCtx_reset(static_cast<ZSTD_DCtx*>(dctx_.get()), ZSTD_reset_session_only);
    if (ZSTD_getFrameContentSize(stored_.data(), stored_.size()) != b.content)
      return corrupt("its zstd frame's content size is not the table's");
    content_.clear();
    consumed_ = 0;
    cached_ = block;
  }
  if (content_.size() >= upto) return {};
  std::size_t produced = content_.size();
  // Decompressed a little ahead of what was asked (the next item is read cheaply).
  content_.resize(std::min<std::uint64_t>(b.content, std::max<std::uint64_t>(upto, produced + (256u << 10))));
  ZSTD_inBuffer in{stored_.data(), stored_.size(), consumed_};
  ZSTD_outBuffer out{content_.data(), content_.size(), produced};
  std::size_t r = 1;
  while (out.pos < out.size) {
    std::size_t in_before = in.pos, out_before = out.pos;
    r = ZSTD_decompressStream(static_cast<ZSTD_DCtx*>(dctx_.get()), &out, &in);
    if (ZSTD_isError(r)) return corrupt(std::string("zstd: ") + ZSTD_getErrorName(r));
    if (r == 0 && out.pos < out.size) return corrupt("its zstd frame ends early");
    if (in.pos == in_before && out.pos == out_before) return corrupt("its zstd frame is cut short");
  }
  if (out.pos == b.content) {  // the whole block: the frame must end here, its checksum checked
    while (r != 0) {
      std::size_t in_before = in.pos;
      ZSTD_outBuffer none{nullptr, 0, 0};
      r = ZSTD_decompressStream(static_cast<ZSTD_DCtx*>(dctx_.get()), &none, &in);
      if (ZSTD_isError(r)) return corrupt(std::string("zstd: ") + ZSTD_getErrorName(r));
      if (r != 0 && in.pos == in_before) return corrupt("its zstd frame holds more than its content");
    }
    if (in.pos != in.size) return corrupt("bytes follow its zstd frame");
  }
  consumed_ = in.pos;
  return {};
}

Result<std::string> Pack::read(std::uint64_t number, FrameKind kind) {
  if (number >= items_.size() || items_[number].kind != kind)
    return make_error(Errc::Corrupt, "the item here is not the one the catalog names", where(number));
  const auto& item = items_[number];
  auto loaded = load_block(item.block, item.offset + item.size);
  if (!loaded) return with_context(loaded.error(), "item " + std::to_string(number));
  return content_.substr(item.offset, item.size);
}

Result<void> Pack::scan(const std::function<Result<void>(std::uint64_t, const PackItem&, std::string_view)>& visit,
                        std::vector<Damaged>* damaged) {
  std::vector<std::vector<std::uint64_t>> by_block(blocks_.size());
  for (std::uint64_t i = 0; i < items_.size(); ++i) by_block[items_[i].block].push_back(i);
  for (std::uint32_t b = 0; b < blocks_.size(); ++b) {
    if (auto loaded = load_block(b, blocks_[b].content); !loaded) {
      if (!damaged) return loaded.error();
      Damaged d{b, 0, 0, loaded.error().message};
      if (!by_block[b].empty()) d.first = by_block[b].front(), d.last = by_block[b].back();
      damaged->push_back(std::move(d));
      continue;
    }
    for (auto i : by_block[b])
      MF_CHECK(visit(i, items_[i], std::string_view(content_).substr(items_[i].offset, items_[i].size)));
  }
  return {};
}

}  // namespace mf::archive
