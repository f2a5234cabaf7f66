#include "core/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace mf {

Result<FileLock> FileLock::take(const std::string& path, const std::string& what, Options options) {
  int fd = options.read_only && options.shared ? ::open(path.c_str(), O_RDONLY | O_CLOEXEC)
                                               : ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0 && options.read_only && options.shared && errno == ENOENT) return FileLock(-1);
  if (fd < 0) return make_error(Errc::Io, std::string("cannot open the lock file: ") + std::strerror(errno), path);
  auto deadline = std::chrono::steady_clock::now() + options.wait;
  int error = 0;
  while (::flock(fd, (options.shared ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
    error = errno;
    if (error == EINTR) continue;
    if (error != EWOULDBLOCK || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    error = 0;
  }
  if (error != 0) {
    char holder[64] = {};
    ssize_t n = options.shared ? 0 : ::pread(fd, holder, sizeof holder - 1, 0);
    ::close(fd);
    std::string who = n > 0 ? std::string(holder, static_cast<std::size_t>(n)) : std::string("another process");
    if (!who.empty() && who.back() == '\n') who.pop_back();  // written below
    if (error == EWOULDBLOCK)
      return make_error(Errc::InUse, what + " is in use by " + who + "; try again when it has finished", path);
    return make_error(Errc::Io, "cannot lock " + what + ": " + std::strerror(error), path);
  }
  if (options.shared) return FileLock(fd);  // many holders: none names itself
  std::string me = "mailferry pid " + std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, me.data(), me.size(), 0) != static_cast<ssize_t>(me.size())) {
    ::close(fd);
    return make_error(Errc::Io, std::string("cannot write the lock file: ") + std::strerror(errno), path);
  }
  return FileLock(fd);
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

}  // namespace mf
