#include "archive/detail/catalog.h"

#include <charconv>
#include <cstdio>

namespace mf::archive::detail {

using nlohmann::json;

std::string_view digest_bytes(const Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

std::string digest_blob(std::string_view hex) {
  auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(nibble(hex[i]) << 4 | nibble(hex[i + 1]));
  return out;
}

Result<std::string> meta(sql::Database& db, const std::string& key) {
  MF_TRY(q, db.prepare("SELECT value FROM meta WHERE key = ?1"));
  q.bind(1, key);
  MF_TRY(row, q.step());
  if (!row) return make_error(Errc::Corrupt, "archive.db lacks meta " + key);
  return q.column_text(0);
}

std::optional<std::uint64_t> meta_number(std::string_view text) {
  std::uint64_t n = 0;
  if (text.empty() || text.size() > 19) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

Result<void> set_meta(sql::Database& db, const std::string& key, const std::string& value) {
  MF_TRY(q, db.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)"));
  q.bind(1, key).bind(2, value);
  return q.run();
}

// Events as stored: compact JSON with sorted keys; bytes that are not UTF-8
// (a raw Latin-1 subject) become U+FFFD, since JSON must be UTF-8.
std::string event_text(const json& event) { return event.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string where_of(std::uint32_t segment, std::uint64_t offset) {
  char name[48];
  std::snprintf(name, sizeof name, "segment %08u offset %llu", segment, static_cast<unsigned long long>(offset));
  return name;
}


}  // namespace mf::archive::detail
