#include "server/user_list.h"

#include "core/log.h"

#include <sys/stat.h>

namespace mf::server {

UserList::Stamp UserList::stamp_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return Stamp{true, st.st_ino, st.st_size, st.st_mtim};
}

Result<UserList> UserList::load(std::string path) {
  UserList list;
  list.stamp_ = stamp_of(path);
  MF_TRY(users, store::Users::load(path));
  list.users_ = std::make_shared<const store::Users>(std::move(users));
  list.path_ = std::move(path);
  return list;
}

std::shared_ptr<const store::Users> UserList::current() {
  Stamp now = stamp_of(path_);
  if (now == stamp_) return users_;
  stamp_ = now;  // once per change, also when it cannot be read
  auto users = store::Users::load(path_);
  if (!users) {
    log::error("the users file changed but cannot be read; the users stay as they were: " + users.error().describe());
    return users_;
  }
  users_ = std::make_shared<const store::Users>(std::move(*users));
  ++generation_;
  log::info("users: read " + path_ + " again (" + std::to_string(users_->size()) + " users)");
  return users_;
}

}  // namespace mf::server
