#include "tests/support/power_loss.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

namespace mf::test {
namespace {

std::optional<std::string> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

PowerLoss::PowerLoss() { install_file_system(this); }
PowerLoss::~PowerLoss() { install_file_system(nullptr); }

void PowerLoss::watch(const std::string& path) {
  if (path.empty() || named_.count(path) || durable_.count(path)) return;
  auto now = read_all(path);
  auto content = std::make_shared<Content>(Content{now.value_or("")});
  named_[path] = content;
  durable_[path] = now ? content : nullptr;  // a file there before is durable as it is
}

void PowerLoss::synced(const std::string& path) {
  if (auto it = named_.find(path); it != named_.end()) it->second->synced = read_all(path).value_or("");
}

int PowerLoss::open(const std::string& path, int flags, mode_t mode) {
  if (flags & (O_WRONLY | O_RDWR)) watch(path);
  int fd = FileSystem::open(path, off_ ? flags & ~O_TRUNC : flags, mode);
  if (fd >= 0 && (flags & (O_WRONLY | O_RDWR))) fds_[fd] = path;
  return fd;
}

ssize_t PowerLoss::pwrite(int fd, const void* data, std::size_t size, off_t offset) {
  if (off_) return static_cast<ssize_t>(size);
  return FileSystem::pwrite(fd, data, size, offset);
}

int PowerLoss::ftruncate(int fd, off_t size) { return off_ ? 0 : FileSystem::ftruncate(fd, size); }

int PowerLoss::fsync(int fd) {
  if (off_) return 0;
  int rc = FileSystem::fsync(fd);
  if (rc == 0)
    if (auto it = fds_.find(fd); it != fds_.end()) synced(it->second);
  return rc;
}

int PowerLoss::close(int fd) {
  fds_.erase(fd);
  return FileSystem::close(fd);
}

int PowerLoss::rename(const std::string& from, const std::string& to) {
  if (off_) return 0;
  watch(from);
  watch(to);
  int rc = FileSystem::rename(from, to);
  if (rc == 0) {
    named_[to] = named_[from];
    named_.erase(from);
    for (auto& [fd, path] : fds_)
      if (path == from) path = to;
  }
  return rc;
}

int PowerLoss::sync_directory(const std::string& dir) {
  if (off_) return 0;
  int rc = FileSystem::sync_directory(dir);
  if (rc != 0) return rc;
  for (auto& [path, content] : durable_)
    if (directory_of(path) == dir) {
      auto it = named_.find(path);
      content = it == named_.end() ? nullptr : it->second;
    }
  for (const auto& [path, content] : named_)
    if (directory_of(path) == dir) durable_[path] = content;
  return 0;
}

void PowerLoss::sqlite_opened(const std::string& path) { watch(path); }

void PowerLoss::sqlite_synced(const std::string& path) {
  synced(path);
  if (auto it = named_.find(path); it != named_.end()) durable_[path] = it->second;
}

void PowerLoss::sqlite_deleted(const std::string& path, bool directory_synced) {
  named_.erase(path);
  if (directory_synced) durable_[path] = nullptr;
}

void PowerLoss::restore() {
  for (const auto& [path, content] : durable_) {
    std::error_code ec;
    if (!content) {
      std::filesystem::remove(path, ec);
      continue;
    }
    if (read_all(path) == content->synced) continue;  // unchanged (a sealed, read-only segment)
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content->synced;
  }
  for (const auto& [path, content] : named_)  // names never made durable
    if (!durable_.count(path)) {
      std::error_code ec;
      std::filesystem::remove(path, ec);
    }
  named_.clear();
  durable_.clear();
  fds_.clear();
  off_ = false;
}

}  // namespace mf::test
