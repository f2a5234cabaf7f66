#include "core/atomic_file.h"

#include "core/file_system.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mf {
namespace {

Error errno_error(std::string_view what, const std::string& path) {
  int err = errno;
  Errc code = err == ENOSPC || err == EDQUOT ? Errc::NoSpace
              : err == ENOENT               ? Errc::NotFound
              : err == EACCES || err == EPERM ? Errc::Perm
                                              : Errc::Io;
  return make_error(code, std::string(what) + ": " + std::strerror(err), path);
}

}  // namespace

Result<void> write_file_atomically(const std::string& path, std::string_view content) {
  std::string temp = path + ".tmp." + std::to_string(::getpid());
  FileSystem& fs = file_system();
  int fd = fs.open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno_error("cannot create", temp);
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = fs.pwrite(fd, content.data() + done, content.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Error e = errno_error("cannot write", temp);
      fs.close(fd);
      ::unlink(temp.c_str());
      return e;
    }
    done += static_cast<std::size_t>(n);
  }
  if (fs.fsync(fd) != 0) {
    Error e = errno_error("cannot fsync", temp);
    fs.close(fd);
    ::unlink(temp.c_str());
    return e;
  }
  fs.close(fd);
  if (fs.rename(temp, path) != 0) {
    Error e = errno_error("cannot rename into place", path);
    ::unlink(temp.c_str());
    return e;
  }
  std::string dir = directory_of(path);
  // The new name is the write; EINVAL: a file system that cannot sync a directory.
  if (fs.sync_directory(dir) != 0 && errno != EINVAL) return errno_error("cannot sync the directory", dir);
  return {};
}

Result<void> make_directory(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0) {
    if (errno == EEXIST) return {};
    return errno_error("cannot create the directory", path);
  }
  std::string parent = directory_of(path);
  if (file_system().sync_directory(parent) != 0 && errno != EINVAL) return errno_error("cannot sync the directory", parent);
  return {};
}

Result<std::string> read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno_error("cannot open", path);
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Error e = errno_error("cannot read", path);
      ::close(fd);
      return e;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

}  // namespace mf
