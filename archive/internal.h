// Helpers shared by the archive's own files (archive.cpp, verify.cpp,
// retention.cpp); not for other modules.
#pragma once

#include "archive/segment.h"
#include "core/sqlite.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace mf::archive::detail {

// The catalog keeps SHA-256 digests as 32-byte blobs (half the bytes of
// hex, in the table and again in its index); its queries read them back
// as lower(hex(column)).
std::string_view digest_bytes(const Digest& digest);
std::string digest_blob(std::string_view hex);  // "" for "" (no body)
Result<std::string> meta(sql::Database& db, const std::string& key);
// A meta value that must be a number: all digits, else nothing (a damaged
// or edited catalog is named, never read as its leading digits).
std::optional<std::uint64_t> meta_number(std::string_view text);
Result<void> set_meta(sql::Database& db, const std::string& key, const std::string& value);
// Events as stored: compact JSON with sorted keys, UTF-8.
std::string event_text(const nlohmann::json& event);
// "segment 00000001 offset 4096"
std::string where_of(std::uint32_t segment, std::uint64_t offset);

}  // namespace mf::archive::detail
