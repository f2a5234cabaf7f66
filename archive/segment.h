// Segment files: append-only sequences of frames (archive/frame.h) in
// DIR/segments/NNNNNNNN.seg. A full segment is sealed (fsynced, made
// read-only) and the next one started. Plain POSIX I/O.
#pragma once

#include "archive/frame.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mf::archive {

std::string segment_path(const std::string& dir, std::uint32_t id);

class SegmentWriter {
 public:
  // Opens (creating) a segment for appending; its bytes past `size` are cut
  // off (a torn tail the caller has already recovered what it could from).
  [[nodiscard]] static Result<SegmentWriter> open(const std::string& dir, std::uint32_t id, std::uint64_t size);
  // The same at another path (a compacted copy of segment `id` being written).
  [[nodiscard]] static Result<SegmentWriter> open_file(const std::string& path, std::uint32_t id, std::uint64_t size);
  SegmentWriter(SegmentWriter&& other) noexcept;
  SegmentWriter& operator=(SegmentWriter&& other) noexcept;
  ~SegmentWriter();

  // Appends a frame (kept in memory until flush()); returns its offset.
  [[nodiscard]] Result<std::uint64_t> append(const FrameHeader& header, std::string_view payload);
  // Writes the appended frames to the file in one write; durable only after sync().
  [[nodiscard]] Result<void> flush();
  // flush(), then fdatasync.
  [[nodiscard]] Result<void> sync();
  // Cuts the file back to `size` (frames of a batch that failed midway).
  [[nodiscard]] Result<void> truncate(std::uint64_t size);
  // fsync and chmod 0444: nothing is written to it again.
  [[nodiscard]] Result<void> seal();
  std::uint32_t id() const { return id_; }
  std::uint64_t size() const { return size_; }

 private:
  SegmentWriter(int fd, std::string path, std::uint32_t id, std::uint64_t size)
      : fd_(fd), path_(std::move(path)), id_(id), size_(size) {}
  int fd_ = -1;
  std::string path_;
  std::uint32_t id_ = 0;
  std::uint64_t size_ = 0;  // including frames not flushed yet
  std::string pending_;     // appended, not yet written
};

// fsync of the directory holding `path` (a new or renamed file's name).
[[nodiscard]] Result<void> sync_directory_of(const std::string& path);
// rename(2), then the directory synced.
[[nodiscard]] Result<void> replace_file(const std::string& from, const std::string& to);

struct FrameAt {
  std::uint64_t offset = 0;
  FrameHeader header;
  std::string payload;
};

// Reads the frame at offset (header and payload).
[[nodiscard]] Result<FrameAt> read_frame(const std::string& path, std::uint64_t offset);

// Bytes of a segment that hold no readable frame, with an intact frame after them.
struct DamagedSpan {
  std::uint64_t offset = 0;   // where the bad frame starts
  std::uint64_t resumed = 0;  // where the next intact frame starts
  std::string problem;        // what was found at offset
};

// Calls visit for each whole frame from `from` on. Returns the offset where
// whole frames end: the file size, or the start of a torn or bad frame (then
// `problem` says what was found there). With `damaged`, a bad frame that an
// intact one follows is skipped (listed there) and the scan goes on from the
// next intact frame header; only a bad end of the file ends it.
[[nodiscard]] Result<std::uint64_t> scan_frames(const std::string& path, std::uint64_t from,
                                                const std::function<Result<void>(FrameAt&)>& visit,
                                                std::string* problem, std::vector<DamagedSpan>* damaged = nullptr);

// Where the first intact frame header after `after` starts (magic, version,
// flags and CRC check out, and its payload fits in the file), if any.
[[nodiscard]] Result<std::optional<std::uint64_t>> next_intact_frame(const std::string& path, std::uint64_t after);

}  // namespace mf::archive
