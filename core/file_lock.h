// One process at a time: an exclusive flock(2) on a lock file, which the
// kernel releases when the process ends, however it ends. The archive
// takes DIR/archive.lock (every command writes to it: two writers would
// interleave frames and fork the chain); a migration takes STATE.lock (two
// runs on one state file would both copy what it lacks).
#pragma once

#include "core/error.h"

#include <string>

namespace mf {

class FileLock {
 public:
  // Errc::Temp naming the process that holds it ("WHAT is in use by
  // mailferry pid N") when another one does.
  [[nodiscard]] static Result<FileLock> take(const std::string& path, const std::string& what);
  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace mf
