// The seam through which mailferry's durable files are written (leveldb's
// Env is the model): archive segments, atomic file writes, and, through
// the SQLite VFS "mailferry" that every sql::Database uses, the catalog and
// the state file. POSIX by default. A test installs another (tests/support/
// power_loss.h) that remembers what was not fsynced yet and drops it on a
// simulated power loss: SIGKILL keeps the page cache, so without this a
// missing fsync would be invisible to every crash test.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>

namespace mf {

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // As the system calls of the same names (-1 and errno on failure).
  virtual int open(const std::string& path, int flags, mode_t mode);
  virtual ssize_t pwrite(int fd, const void* data, std::size_t size, off_t offset);
  virtual int ftruncate(int fd, off_t size);
  virtual int fsync(int fd);  // fdatasync's place too: data and size durable
  virtual int close(int fd);
  virtual int rename(const std::string& from, const std::string& to);
  // fsync of a directory: the names created, renamed or removed in it are durable.
  virtual int sync_directory(const std::string& dir);
  // SQLite's files (the "mailferry" VFS reports what the default VFS does).
  virtual void sqlite_opened(const std::string& path) {}
  virtual bool sqlite_writes() { return true; }  // false: its writes vanish (a test's power cut)
  virtual void sqlite_synced(const std::string& path) {}
  virtual void sqlite_deleted(const std::string& path, bool directory_synced) {}
};

// The file system in use: POSIX unless a test installed another.
FileSystem& file_system();
// nullptr: POSIX again. Not thread-safe: tests install it before any file is opened.
void install_file_system(FileSystem* fs);

// The directory holding `path` ("." when it names none).
std::string directory_of(const std::string& path);

// Registers the VFS "mailferry" as SQLite's default (once, thread-safe).
void register_sqlite_vfs();

}  // namespace mf
