// flock(2) on a lock file, which the kernel releases when the process ends,
// however it ends. Exclusive: one process at a time (a migration holds
// STATE.lock while it runs: two runs on one state file would both copy what
// it lacks; an archive writer holds DIR/archive.lock for one batch: two
// writers would interleave frames and fork the chain). Shared: many at once,
// none while someone holds it exclusively (archive readers against
// compaction).
#pragma once

#include "core/error.h"

#include <chrono>
#include <string>

namespace mf {

class FileLock {
 public:
  struct Options {
    bool shared = false;
    std::chrono::milliseconds wait{0};  // how long to wait for a holder to let go
    // Shared only: the file is opened for reading and not created (a
    // read-only medium); where it does not exist, nobody can hold it, and the
    // lock is taken without a file.
    bool read_only = false;
  };
  // Errc::InUse when another process holds it still after `wait`, naming
  // the process for an exclusive lock ("WHAT is in use by mailferry pid N",
  // which its holder writes into the file).
  [[nodiscard]] static Result<FileLock> take(const std::string& path, const std::string& what, Options options);
  [[nodiscard]] static Result<FileLock> take(const std::string& path, const std::string& what) {
    return take(path, what, Options{});
  }
  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace mf
