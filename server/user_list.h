// The server's users as the users file has them now: `serve user add`,
// `passwd` and `del` take effect at the next login or delivery, with no
// restart or signal. The file is looked at (one stat) on each use and read
// again when it changed; a file that cannot be read leaves the list as it
// was and says so in the log. Used on the I/O thread; a snapshot may be
// handed to another thread (the password check) and stays valid there.
#pragma once

#include "core/error.h"
#include "store/users.h"

#include <ctime>
#include <memory>
#include <string>

namespace mf::server {

class UserList {
 public:
  [[nodiscard]] static Result<UserList> load(std::string path);

  // The list, read again first when the file changed.
  std::shared_ptr<const store::Users> current();
  // How many times the file was read again (the auth cache starts over then).
  unsigned generation() const { return generation_; }

 private:
  struct Stamp {
    bool exists = false;
    ino_t inode = 0;
    off_t size = 0;
    timespec modified{};
    bool operator==(const Stamp& o) const {
      return exists == o.exists && inode == o.inode && size == o.size && modified.tv_sec == o.modified.tv_sec &&
             modified.tv_nsec == o.modified.tv_nsec;
    }
  };
  static Stamp stamp_of(const std::string& path);

  std::string path_;
  Stamp stamp_;
  std::shared_ptr<const store::Users> users_;
  unsigned generation_ = 0;
};

}  // namespace mf::server
