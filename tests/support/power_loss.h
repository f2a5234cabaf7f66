// A file system that loses what was not made durable, for power-loss
// tests (leveldb's FaultInjectionTestEnv is the model). It watches the
// files written through mf::file_system() and SQLite's "mailferry" VFS:
// a file's content is durable as of its last fsync, a name (created,
// renamed, removed) as of the last sync of its directory, and an SQLite
// file's name with its first sync (the default VFS syncs the directory).
//
//   PowerLoss power;               // installed
//   ... work, e.g. an acknowledged ingest ...
//   power.cut();                   // nothing written from now on reaches a file
//   ... destroy the objects (their closing writes vanish) ...
//   power.restore();               // every file as it would be after the reboot
#pragma once

#include "core/file_system.h"

#include <map>
#include <memory>
#include <string>

namespace mf::test {

class PowerLoss : public FileSystem {
 public:
  PowerLoss();
  ~PowerLoss() override;
  PowerLoss(const PowerLoss&) = delete;
  PowerLoss& operator=(const PowerLoss&) = delete;

  void cut() { off_ = true; }
  // Rewrites or removes every file seen to what was durable, then works as
  // the real file system again (files seen from then on are durable as they are).
  void restore();

  int open(const std::string& path, int flags, mode_t mode) override;
  ssize_t pwrite(int fd, const void* data, std::size_t size, off_t offset) override;
  int ftruncate(int fd, off_t size) override;
  int fsync(int fd) override;
  int close(int fd) override;
  int rename(const std::string& from, const std::string& to) override;
  int sync_directory(const std::string& dir) override;
  void sqlite_opened(const std::string& path) override;
  bool sqlite_writes() override { return !off_; }
  void sqlite_synced(const std::string& path) override;
  void sqlite_deleted(const std::string& path, bool directory_synced) override;

 private:
  struct Content {
    std::string synced;  // the bytes as of the last fsync
  };
  void watch(const std::string& path);
  void synced(const std::string& path);

  bool off_ = false;
  std::map<int, std::string> fds_;                             // open for writing -> path
  std::map<std::string, std::shared_ptr<Content>> named_;      // what each name holds now
  std::map<std::string, std::shared_ptr<Content>> durable_;    // ... as of its directory's last sync (null: none)
};

}  // namespace mf::test
