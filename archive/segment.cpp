#include "archive/segment.h"

#include "core/file_system.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mf::archive {
namespace {

constexpr std::size_t kFlushAt = 32 << 20;

Error io_error(const std::string& what, const std::string& path) {
  Errc code = errno == ENOSPC || errno == EDQUOT ? Errc::NoSpace : Errc::Io;
  return make_error(code, what + ": " + std::strerror(errno), path);
}

Result<void> read_exactly(int fd, std::uint64_t offset, char* into, std::size_t size, const std::string& path) {
  std::size_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fd, into + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("cannot read", path);
    if (n == 0) return make_error(Errc::Corrupt, "frame cut short at the end of the segment", path);
    done += static_cast<std::size_t>(n);
  }
  return {};
}

}  // namespace

std::string segment_path(const std::string& dir, std::uint32_t id) {
  char name[32];
  std::snprintf(name, sizeof name, "%08u.seg", id);
  return dir + "/segments/" + name;
}

Result<SegmentWriter> SegmentWriter::open(const std::string& dir, std::uint32_t id, std::uint64_t size) {
  return open_file(segment_path(dir, id), id, size);
}

Result<SegmentWriter> SegmentWriter::open_file(const std::string& path, std::uint32_t id, std::uint64_t size) {
  struct stat st{};
  bool existed = ::stat(path.c_str(), &st) == 0;
  int fd = file_system().open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot open the segment", path);
  if (file_system().ftruncate(fd, static_cast<off_t>(size)) != 0) {
    auto e = io_error("cannot cut the segment back", path);
    file_system().close(fd);
    return e;
  }
  SegmentWriter writer(fd, path, id, size);
  if (!existed) MF_CHECK(sync_directory_of(path));  // the new name must survive a crash too
  return writer;
}

Result<void> sync_directory_of(const std::string& path) {
  std::string dir = directory_of(path);
  if (file_system().sync_directory(dir) != 0) return io_error("cannot sync the directory", dir);
  return {};
}

Result<void> replace_file(const std::string& from, const std::string& to) {
  if (file_system().rename(from, to) != 0) return io_error("cannot rename " + from, to);
  return sync_directory_of(to);
}

SegmentWriter::SegmentWriter(SegmentWriter&& o) noexcept
    : fd_(o.fd_), path_(std::move(o.path_)), id_(o.id_), size_(o.size_), pending_(std::move(o.pending_)) {
  o.fd_ = -1;
}

SegmentWriter& SegmentWriter::operator=(SegmentWriter&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) file_system().close(fd_);
    fd_ = o.fd_;
    path_ = std::move(o.path_);
    id_ = o.id_;
    size_ = o.size_;
    pending_ = std::move(o.pending_);
    o.fd_ = -1;
  }
  return *this;
}

SegmentWriter::~SegmentWriter() {
  if (fd_ >= 0) file_system().close(fd_);
}

Result<std::uint64_t> SegmentWriter::append(const FrameHeader& header, std::string_view payload) {
  std::uint64_t offset = size_;
  pending_ += encode_header(header);
  pending_.append(payload);
  size_ += kFrameHeaderSize + payload.size();
  if (pending_.size() >= kFlushAt) MF_CHECK(flush());  // memory stays bounded (a compaction copies 256 MB)
  return offset;
}

Result<void> SegmentWriter::flush() {
  std::uint64_t offset = size_ - pending_.size();
  std::size_t done = 0;
  while (done < pending_.size()) {
    ssize_t n = file_system().pwrite(fd_, pending_.data() + done, pending_.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      auto e = io_error("cannot write", path_);
      (void)file_system().ftruncate(fd_, static_cast<off_t>(offset));  // leave no half frame behind
      size_ = offset;
      pending_.clear();
      return e;
    }
    done += static_cast<std::size_t>(n);
  }
  pending_.clear();
  return {};
}

Result<void> SegmentWriter::sync() {
  MF_CHECK(flush());
  if (file_system().fsync(fd_) != 0) return io_error("cannot sync", path_);
  return {};
}

Result<void> SegmentWriter::truncate(std::uint64_t size) {
  pending_.clear();
  if (file_system().ftruncate(fd_, static_cast<off_t>(size)) != 0) return io_error("cannot cut the segment back", path_);
  size_ = size;
  return {};
}

Result<void> SegmentWriter::seal() {
  MF_CHECK(flush());
  if (file_system().fsync(fd_) != 0) return io_error("cannot sync", path_);
  if (::fchmod(fd_, 0444) != 0) return io_error("cannot make read-only", path_);
  return {};
}

Result<FrameAt> read_frame(const std::string& path, std::uint64_t offset) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open the segment", path);
  FrameAt out;
  out.offset = offset;
  std::string header(kFrameHeaderSize, '\0');
  auto read = read_exactly(fd, offset, header.data(), header.size(), path);
  Result<FrameHeader> decoded = read ? decode_header(header) : Result<FrameHeader>(read.error());
  struct stat st{};
  if (decoded && ::fstat(fd, &st) == 0 &&
      offset + kFrameHeaderSize + decoded->payload_size > static_cast<std::uint64_t>(st.st_size))
    decoded = make_error(Errc::Corrupt, "frame cut short at the end of the segment (" +
                                            std::to_string(decoded->payload_size) + " bytes of payload announced)");
  if (decoded) {
    out.header = *decoded;
    out.payload.resize(decoded->payload_size);
    read = read_exactly(fd, offset + kFrameHeaderSize, out.payload.data(), out.payload.size(), path);
  }
  ::close(fd);
  if (!decoded) return with_context(decoded.error(), path + " at offset " + std::to_string(offset));
  if (!read) return with_context(read.error(), path + " at offset " + std::to_string(offset));
  return out;
}

Result<std::optional<std::uint64_t>> next_intact_frame(const std::string& path, std::uint64_t after) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open the segment", path);
  struct stat st{};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return io_error("cannot read the segment", path);
  }
  auto size = static_cast<std::uint64_t>(st.st_size);
  constexpr std::size_t kChunk = 1 << 20;
  std::string chunk;
  std::optional<std::uint64_t> found;
  // Chunks overlap by a header's size, so a header across two is seen whole.
  for (std::uint64_t start = after + 1; !found && start + kFrameHeaderSize <= size; start += kChunk) {
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk + kFrameHeaderSize, size - start));
    chunk.resize(want);
    auto read = read_exactly(fd, start, chunk.data(), want, path);
    if (!read) {
      ::close(fd);
      return read.error();
    }
    for (std::size_t at = chunk.find("MFRM"); at != std::string::npos && at < kChunk; at = chunk.find("MFRM", at + 1)) {
      if (at + kFrameHeaderSize > chunk.size()) break;
      auto header = decode_header(std::string_view(chunk).substr(at, kFrameHeaderSize));
      if (header && start + at + kFrameHeaderSize + header->payload_size <= size) {
        found = start + at;
        break;
      }
    }
  }
  ::close(fd);
  return found;
}

Result<std::uint64_t> scan_frames(const std::string& path, std::uint64_t from,
                                  const std::function<Result<void>(FrameAt&)>& visit, std::string* problem,
                                  std::vector<DamagedSpan>* damaged) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return io_error("cannot read the segment", path);
  auto size = static_cast<std::uint64_t>(st.st_size);
  std::uint64_t offset = from;
  while (offset < size) {
    auto frame = size - offset < kFrameHeaderSize
                     ? Result<FrameAt>(make_error(Errc::Corrupt, "a torn frame header (" +
                                                                     std::to_string(size - offset) + " bytes)"))
                     : read_frame(path, offset);
    if (!frame) {
      if (damaged) {
        MF_TRY(next, next_intact_frame(path, offset));
        if (next) {
          damaged->push_back(DamagedSpan{offset, *next, frame.error().message});
          offset = *next;
          continue;
        }
      }
      if (problem) *problem = frame.error().message;
      return offset;
    }
    std::uint64_t next = offset + kFrameHeaderSize + frame->header.payload_size;
    MF_CHECK(visit(*frame));
    offset = next;
  }
  return offset;
}

}  // namespace mf::archive
