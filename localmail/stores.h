// The store kinds open_store() knows (one file each).
#pragma once

#include "localmail/store.h"

namespace mf::localmail {

std::unique_ptr<Store> make_maildir_store(const std::string& path);
std::unique_ptr<Store> make_mbox_store(const std::string& path);
std::unique_ptr<Store> make_eml_store(const std::string& path);

}  // namespace mf::localmail
