#include "core/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mf {

Result<FileLock> FileLock::take(const std::string& path, const std::string& what) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return make_error(Errc::Io, std::string("cannot open the lock file: ") + std::strerror(errno), path);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int error = errno;
    char holder[64] = {};
    ssize_t n = ::pread(fd, holder, sizeof holder - 1, 0);
    ::close(fd);
    std::string who = n > 0 ? std::string(holder, static_cast<std::size_t>(n)) : std::string("another process");
    if (!who.empty() && who.back() == '\n') who.pop_back();  // written below
    if (error == EWOULDBLOCK)
      return make_error(Errc::Temp, what + " is in use by " + who + "; try again when it has finished", path);
    return make_error(Errc::Io, "cannot lock " + what + ": " + std::strerror(error), path);
  }
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
