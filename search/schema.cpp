#include "search/schema.h"

#include "core/sha256.h"

#include <charconv>

namespace mf::search {

std::string index_path(const std::string& archive_dir) { return archive_dir + "/index"; }

std::optional<std::int64_t> position_of(std::string_view metadata) {
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(metadata.data(), metadata.data() + metadata.size(), n);
  if (metadata.empty() || ec != std::errc() || end != metadata.data() + metadata.size() || n < 0) return std::nullopt;
  return n;
}

std::string term(std::string_view prefix, std::string_view value) {
  constexpr std::size_t kMaxTerm = 240;  // under Xapian's 245-byte limit, with room for the prefix
  std::string out(prefix);
  if (prefix.size() + value.size() <= kMaxTerm) return out.append(value);
  return out.append("#").append(to_hex(sha256(value)));
}

}  // namespace mf::search
