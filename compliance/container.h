// The files of an export, in a directory or a zip file (libzip): written
// into a staging directory beside the target, each file fsynced, and only
// then put in place (renamed, or zipped, fsynced and renamed), so a crash
// or a full disk never leaves a half export under the name asked for.
#pragma once

#include "archive/frame.h"
#include "core/error.h"
#include "core/sha256.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mf::compliance {

class ExportWriter {
 public:
  // Refuses an `out` that exists already (an export is never overwritten).
  [[nodiscard]] static Result<ExportWriter> create(const std::string& out, bool zip);
  ExportWriter(ExportWriter&&) = default;
  ExportWriter& operator=(ExportWriter&&) = default;
  ~ExportWriter();  // an export not finished is removed

  // Appends to the file `name` ('/' between folders), creating it.
  [[nodiscard]] Result<void> append(const std::string& name, std::string_view bytes);
  std::uint64_t size_of(const std::string& name) const;
  // Every file written so far, sorted by name, with the SHA-256 (hex) of its
  // bytes: what SHA256SUMS lists. Files written after this are not in it.
  std::vector<std::pair<std::string, std::string>> digests();
  // Every file fsynced, then the export put in place under its name.
  [[nodiscard]] Result<void> finish();

 private:
  ExportWriter() = default;
  // The file being written is kept open (mbox is one file appended to
  // message by message); another file's turn closes it, fsynced.
  Result<void> close_current();
  std::string out_, staging_;
  bool zip_ = false, finished_ = false;
  std::string current_;
  int fd_ = -1;
  struct File {
    std::uint64_t size = 0;
    std::unique_ptr<Sha256> hash = std::make_unique<Sha256>();
  };
  std::map<std::string, File> files_;
};

// Reads an export back, from a directory or a zip file.
class ExportReader {
 public:
  [[nodiscard]] static Result<ExportReader> open(const std::string& path);
  ExportReader(ExportReader&&) noexcept;
  ExportReader& operator=(ExportReader&&) = delete;
  ~ExportReader();
  // Every file's name, sorted.
  const std::vector<std::string>& names() const { return names_; }
  bool has(const std::string& name) const;
  // The bytes of a file (or of `length` bytes of it from `offset`); a zip
  // entry's CRC is checked as it is read. More than kMaxReadBytes is refused
  // (Errc::Limit): what an export holds is never trusted with memory.
  [[nodiscard]] Result<std::string> read(const std::string& name, std::uint64_t offset = 0,
                                         std::uint64_t length = kWhole) const;
  // A file's SHA-256, read in chunks: any size, little memory.
  [[nodiscard]] Result<Digest> sha256_of(const std::string& name) const;

  static constexpr std::uint64_t kWhole = ~std::uint64_t{0};
  // The largest message an archive holds, and room for mboxrd quoting.
  static constexpr std::uint64_t kMaxReadBytes = archive::kMaxContentSize + (archive::kMaxContentSize >> 4);

 private:
  ExportReader() = default;
  // Calls chunk with the bytes of [offset, offset + length) of a file, in
  // order, until it returns false.
  using Chunk = std::function<bool(std::string_view)>;
  [[nodiscard]] Result<void> visit(const std::string& name, std::uint64_t offset, std::uint64_t length,
                                   const Chunk& chunk) const;
  std::string path_;
  void* zip_ = nullptr;  // zip_t*, when the export is a zip file
  std::vector<std::string> names_;
};

}  // namespace mf::compliance
