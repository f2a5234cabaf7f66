// One process at a time uses an archive: every command writes to it (at
// least its audit event), and two writers would interleave their frames and
// fork the hash chain. An exclusive flock(2) on DIR/archive.lock, which the
// kernel releases when the process ends, however it ends.
#pragma once

#include "core/error.h"

#include <string>

namespace mf::archive {

class ArchiveLock {
 public:
  // Errc::Temp naming the process that holds it when another one does.
  [[nodiscard]] static Result<ArchiveLock> take(const std::string& dir);
  ArchiveLock(ArchiveLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  ArchiveLock& operator=(ArchiveLock&&) = delete;
  ~ArchiveLock();

 private:
  explicit ArchiveLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace mf::archive
