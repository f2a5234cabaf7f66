#include "search/schema.h"

#include "core/sha256.h"

namespace mf::search {

std::string index_path(const std::string& archive_dir) { return archive_dir + "/index"; }

std::string term(std::string_view prefix, std::string_view value) {
  constexpr std::size_t kMaxTerm = 240;  // under Xapian's 245-byte limit, with room for the prefix
  std::string out(prefix);
  if (prefix.size() + value.size() <= kMaxTerm) return out.append(value);
  return out.append("#").append(to_hex(sha256(value)));
}

}  // namespace mf::search
