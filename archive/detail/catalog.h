// The catalog (archive.db) as the archive's own files use it: its schema,
// meta values, digests as blobs, events as stored. Not for other modules.
#pragma once

#include "archive/segment.h"
#include "core/sqlite.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace mf::archive::detail {

inline constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta(key, value) VALUES ('format', '2'), ('active_segment', '1'), ('committed_size', '0');
CREATE TABLE IF NOT EXISTS events(
  seq INTEGER PRIMARY KEY, type TEXT NOT NULL, time INTEGER NOT NULL, hash TEXT NOT NULL,
  segment INTEGER NOT NULL, offset INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_type ON events(type, time);
CREATE TABLE IF NOT EXISTS messages(
  seq INTEGER PRIMARY KEY, sha256 BLOB NOT NULL, raw_size INTEGER NOT NULL, stored_size INTEGER NOT NULL,
  segment INTEGER NOT NULL, offset INTEGER NOT NULL, body INTEGER NOT NULL, base INTEGER NOT NULL, parsed INTEGER NOT NULL,
  message_id TEXT, subject TEXT, date INTEGER NOT NULL, retain_until INTEGER NOT NULL DEFAULT 0,
  class TEXT NOT NULL DEFAULT '', purged INTEGER, event INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS messages_by_body ON messages(body) WHERE body != 0;
CREATE TABLE IF NOT EXISTS bodies(
  id INTEGER PRIMARY KEY, sha256 BLOB NOT NULL UNIQUE, size INTEGER NOT NULL, stored_size INTEGER NOT NULL,
  segment INTEGER NOT NULL, offset INTEGER NOT NULL, event INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sources(id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE);
CREATE UNIQUE INDEX IF NOT EXISTS messages_by_sha256 ON messages(sha256) WHERE purged IS NULL;
CREATE INDEX IF NOT EXISTS messages_by_message_id ON messages(message_id);
CREATE INDEX IF NOT EXISTS messages_by_retention ON messages(retain_until) WHERE purged IS NULL;
CREATE TABLE IF NOT EXISTS dictionaries(
  id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, segment INTEGER NOT NULL, offset INTEGER NOT NULL, event INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS mailboxes(id INTEGER PRIMARY KEY, account TEXT NOT NULL, folder TEXT NOT NULL,
  UNIQUE(account, folder));
CREATE TABLE IF NOT EXISTS placements(
  message INTEGER NOT NULL REFERENCES messages(seq), mailbox INTEGER NOT NULL, copy INTEGER NOT NULL,
  flags TEXT NOT NULL, internaldate INTEGER NOT NULL, source INTEGER NOT NULL, class TEXT NOT NULL,
  event INTEGER NOT NULL, PRIMARY KEY(message, mailbox, copy)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS holds(
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, query TEXT NOT NULL, user TEXT NOT NULL, time INTEGER NOT NULL,
  event INTEGER NOT NULL, released INTEGER);
CREATE UNIQUE INDEX IF NOT EXISTS holds_active ON holds(name) WHERE released IS NULL;
CREATE TABLE IF NOT EXISTS packs(id INTEGER PRIMARY KEY, generation INTEGER NOT NULL, size INTEGER NOT NULL);
)";

// Format 3 has packs; format 2 archives open, and their first seal makes them 3.
inline bool known_format(const std::string& format) { return format == "2" || format == "3"; }

// A body still in a segment that only purged messages end with (SQL on `b`,
// bodies; "m.body != 0" lets SQLite use the partial index messages_by_body).
inline constexpr const char* kDeadBody =
    "b.segment != 0 AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.body = b.id AND m.body != 0 AND m.purged IS NULL)";

// A live message whose head is a delta on a purged one (SQL on `m`): its
// head is stored whole again before its base's frame goes.
inline constexpr const char* kOrphanedDelta =
    "m.purged IS NULL AND m.base != 0 AND EXISTS (SELECT 1 FROM messages o WHERE o.seq = m.base AND o.purged IS NOT NULL)";

// Retention only rises: the locked minimum. ?1 message, ?2 retain-until, ?3 class.
inline constexpr const char* kRaiseRetention =
    "UPDATE messages SET retain_until = ?2, class = ?3 WHERE seq = ?1 AND retain_until < ?2";

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
