#include "archive/archive.h"

#include "archive/internal.h"
#include "core/atomic_file.h"
#include "core/crash_point.h"
#include "mime/date.h"
#include "mime/headers.h"

#define ZDICT_STATIC_LINKING_ONLY  // ZDICT_trainFromBuffer_fastCover with fixed parameters
#include <zdict.h>
#include <zstd.h>

#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>
#include <strings.h>
#include <tuple>

namespace mf::archive {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::uint64_t kSegmentLimit = 256ull << 20;  // sealed when this full
constexpr int kZstdLevel = 3;

constexpr const char* kSchema = R"(
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
)";

constexpr std::size_t kCompressEventsFrom = 256;  // bytes of JSON; shorter events are stored as they are

// Retention only rises: the locked minimum. ?1 message, ?2 retain-until, ?3 class.
constexpr const char* kRaiseRetention =
    "UPDATE messages SET retain_until = ?2, class = ?3 WHERE seq = ?1 AND retain_until < ?2";

}  // namespace

namespace detail {

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

}  // namespace detail

namespace {

// A run of 256 equal bytes is no mail's usual content, but one such sample
// among a few hundred makes zstd's trainer return a dictionary of a few
// hundred bytes (a 20,000-byte line of one letter in the corpus did).
bool has_long_run(std::string_view bytes) {
  std::size_t run = 1;
  for (std::size_t i = 1; i < bytes.size(); ++i) {
    run = bytes[i] == bytes[i - 1] ? run + 1 : 1;
    if (run >= 256) return true;
  }
  return false;
}

}  // namespace

using namespace detail;

// Frames written for one batch, applied to the catalog once they are durable.
struct Archive::Batch {
  struct Event {
    json event;
    std::string hash;
    std::uint64_t offset = 0;
  };
  std::vector<Event> events;
  Blobs blobs;
  // Begun before the batch's lookups when there are any (one lock for the
  // batch, not one per lookup), committed after the segment is synced.
  std::optional<sql::Transaction> tx;
};

Archive::~Archive() = default;

Result<std::unique_ptr<Archive>> Archive::open(const std::string& dir, std::string actor, bool create,
                                               std::vector<std::string>* notes) {
  std::error_code ec;
  if (!fs::exists(dir + "/archive.db", ec)) {
    if (!create) return make_error(Errc::NotFound, "no archive here (archive.db missing)", dir);
    fs::create_directories(dir + "/segments", ec);
    if (ec) return make_error(Errc::Io, "cannot create the archive: " + ec.message(), dir);
  }
  std::unique_ptr<Archive> a(new Archive());
  a->dir_ = dir;
  a->actor_ = std::move(actor);
  MF_TRY(lock, FileLock::take(dir + "/archive.lock", "the archive", {.shared = false, .wait = lock_wait()}));
  MF_TRY(db, sql::Database::open(dir + "/archive.db"));
  a->db_ = std::make_unique<sql::Database>(std::move(db));
  MF_CHECK(a->load(notes));
  return a;
}

std::chrono::milliseconds Archive::lock_wait() {
  const char* seconds = std::getenv("MAILFERRY_ARCHIVE_LOCK_WAIT");
  if (auto n = seconds ? meta_number(seconds) : std::nullopt; n && *n <= 86400)
    return std::chrono::seconds(static_cast<std::int64_t>(*n));
  return std::chrono::seconds(60);
}

Result<void> Archive::load(std::vector<std::string>* notes) {
  segment_.reset();
  damage_.clear();
  MF_CHECK(db_->exec(kSchema));
  MF_TRY(format, meta(*db_, "format"));
  if (format != "2") return make_error(Errc::Corrupt, "archive format " + format + " is not 2 (this mailferry's)", dir_);
  MF_CHECK(finish_compaction());
  MF_CHECK(recover(notes));
  if (auto loaded = load_current_dictionary(); !loaded && segment_) {
    // Verify must still run to name the damage; nothing is written meanwhile.
    damage_ = "the current zstd dictionary cannot be read: " + loaded.error().describe();
    if (notes) notes->push_back(damage_ + "; the archive is read-only until that is resolved");
    segment_.reset();
  }
  return load_policy();
}

Archive::WriteScope::~WriteScope() {
  if (archive_ && --archive_->write_depth_ == 0) archive_->write_lock_.reset();
}

Result<Archive::WriteScope> Archive::begin_write() {
  WriteScope scope(this);  // gives the depth back, and at 0 the lock, however this ends
  if (write_depth_++ > 0) return scope;
  MF_TRY(lock, FileLock::take(dir_ + "/archive.lock", "the archive", {.shared = false, .wait = lock_wait()}));
  write_lock_.emplace(std::move(lock));
  MF_CHECK(refresh());
  return scope;
}

Result<void> Archive::refresh() {
  // What this object wrote last is the chain's tail, unless another writer
  // has been here (or a crash left frames after the committed end).
  MF_TRY(head, db_->prepare("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"));
  MF_TRY(has_head, head.step());
  bool same = has_head ? head.column_int(0) == next_event_ - 1 && head.column_text(1) == head_hash_ : next_event_ == 1;
  if (same && segment_) {
    MF_TRY(active, meta(*db_, "active_segment"));
    MF_TRY(committed, meta(*db_, "committed_size"));
    std::error_code ec;
    same = active == std::to_string(segment_->id()) && committed == std::to_string(segment_->size()) &&
           fs::file_size(segment_path(dir_, segment_->id()), ec) == segment_->size() && !ec;
  }
  if (same && (segment_ || !damage_.empty())) return {};
  head.reset();
  return load(nullptr);
}

Result<FileLock> Archive::begin_read() {
  return FileLock::take(dir_ + "/archive.readers", "the archive's segments", {.shared = true, .wait = lock_wait()});
}

Result<FileLock> Archive::lock_out_readers() {
  return FileLock::take(dir_ + "/archive.readers", "the archive's segments (being read)",
                        {.shared = false, .wait = lock_wait()});
}

// The first intact event frame from `from` on, if any: frames after the
// committed end may be cut only when none of them is one. A batch never
// acknowledged ends in a torn event or none; an intact event that does not
// continue the chain means the catalog is wrong about where the record ends.
static Result<std::optional<std::uint64_t>> first_intact_event(const std::string& path, std::uint64_t from) {
  std::optional<std::uint64_t> found;
  std::string problem;
  std::vector<DamagedSpan> damaged;
  MF_TRY(end, scan_frames(path, from, [&](FrameAt& f) -> Result<void> {
    if (f.header.kind == FrameKind::Event && !found) found = f.offset;
    return {};
  }, &problem, &damaged));
  (void)end;
  return found;
}

Result<void> Archive::recover(std::vector<std::string>* notes) {
  auto read_only = [&](std::string why) -> Result<void> {
    damage_ = std::move(why);
    if (notes) notes->push_back(damage_ + "; the archive is read-only until that is resolved");
    return {};
  };
  MF_TRY(active_text, meta(*db_, "active_segment"));
  MF_TRY(committed_text, meta(*db_, "committed_size"));
  auto active = meta_number(active_text);
  auto committed = meta_number(committed_text);
  if (!active || *active == 0 || *active > UINT32_MAX)
    return read_only("the catalog's meta active_segment is \"" + active_text + "\", not a segment number");
  if (!committed) return read_only("the catalog's meta committed_size is \"" + committed_text + "\", not a size");
  MF_TRY(head, db_->prepare("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"));
  MF_TRY(has_head, head.step());
  next_event_ = has_head ? head.column_int(0) + 1 : 1;
  head_hash_ = has_head ? head.column_text(1) : std::string();
  MF_TRY(last_message, db_->prepare("SELECT COALESCE(MAX(seq), 0) FROM messages"));
  MF_CHECK(last_message.step());
  next_message_ = last_message.column_int(0) + 1;

  // Frames past the committed size were written but never acknowledged.
  auto id = static_cast<std::uint32_t>(*active);
  std::string path = segment_path(dir_, id);
  std::uint64_t end = *committed;
  std::error_code ec;
  bool exists = fs::exists(path, ec);
  std::uint64_t size = exists ? fs::file_size(path, ec) : 0;
  if ((!exists && end > 0) || (exists && size < end))
    // Lost or cut short: nothing is written until someone has looked (archive verify says what is missing).
    return read_only("the active segment " + path + " is missing or shorter than the catalog says");
  if (size > end) {
    MF_TRY(replayed, replay_segment(id, end));
    end = replayed.end;
    MF_CHECK(set_meta(*db_, "committed_size", std::to_string(end)));
    if (notes && replayed.events > 0)
      notes->push_back("recovered " + std::to_string(replayed.events) + " events written before a crash in " + path);
    // Nothing is cut because of what the catalog says: only frames that no
    // intact event accounts for (segments are the record, the catalog an index).
    MF_TRY(event, first_intact_event(path, end));
    if (event)
      return read_only(path + " holds an intact event at offset " + std::to_string(*event) +
                       " past the end the catalog acknowledges (" + std::to_string(end) +
                       "); nothing was cut (archive verify names the fault)");
    if (notes)
      notes->push_back("cut off " + std::to_string(size - end) + " bytes at the end of " + path + " (" +
                       (replayed.problem.empty() ? std::string("frames after the last whole event") : replayed.problem) +
                       ")");
  }
  MF_TRY(writer, SegmentWriter::open(dir_, id, end));
  MF_CHECK(writer.sync());
  segment_ = std::make_unique<SegmentWriter>(std::move(writer));
  return {};
}

Result<Archive::Replayed> Archive::replay_segment(std::uint32_t id, std::uint64_t from, bool salvage) {
  std::string path = segment_path(dir_, id);
  struct Pending {
    json event;
    std::string hash;
    std::uint64_t offset;
    Blobs blobs;  // the frames between the event before and this one: its batch's
  };
  std::vector<Pending> events;
  Blobs blobs;
  Replayed out;
  out.end = from;
  bool chain_broken = false;
  std::vector<DamagedSpan> damaged;
  MF_TRY(whole, scan_frames(path, from, [&](FrameAt& f) -> Result<void> {
    if (chain_broken) return {};
    if (f.header.kind != FrameKind::Event) {
      blobs[to_hex(f.header.sha256)] = {id, f.offset, delta_base(f.header, f.payload)};  // kept only if an event follows it
      return {};
    }
    std::string where = where_of(id, f.offset);
    auto text = frame_content(f.header, f.payload, nullptr, where);
    auto event = text ? json::parse(*text, nullptr, false) : json();
    bool intact = !event.is_discarded() && event.is_object() && to_hex(sha256(*text)) == to_hex(f.header.sha256);
    std::int64_t seq = intact ? event.value("seq", 0ll) : 0;
    if (!intact || seq != next_event_ || event.value("prev", "") != head_hash_) {
      if (!salvage) {
        chain_broken = true;  // not the next link: keep nothing from here on
        out.problem = "event at " + where + " does not continue the chain";
        return {};
      }
      if (!intact || seq < next_event_) {
        out.damage.push_back(where + ": an event that is damaged or out of order, left out");
        return {};
      }
      if (seq > next_event_)
        out.damage.push_back(where + ": events " + std::to_string(next_event_) + " to " + std::to_string(seq - 1) +
                             " are lost; the chain goes on from event " + std::to_string(seq) + " unproven");
      else
        out.damage.push_back(where + ": event " + std::to_string(seq) +
                             " does not follow from the hash of the event before it; kept");
      next_event_ = seq;
    }
    head_hash_ = to_hex(f.header.sha256);
    events.push_back({std::move(event), head_hash_, f.offset, std::move(blobs)});
    blobs.clear();
    ++next_event_;
    out.end = f.offset + kFrameHeaderSize + f.payload.size();
    return {};
  }, out.problem.empty() ? &out.problem : nullptr, salvage ? &damaged : nullptr));
  (void)whole;
  for (const auto& d : damaged)
    out.damage.push_back(where_of(id, d.offset) + ": " + d.problem + "; " + std::to_string(d.resumed - d.offset) +
                         " bytes skipped to the next intact frame");
  MF_TRY(tx, sql::Transaction::begin(*db_));
  for (const auto& e : events) {
    if (!salvage) {
      MF_CHECK(apply_event(e.event, e.hash, id, e.offset, e.blobs));
      continue;
    }
    MF_CHECK(db_->exec("SAVEPOINT salvage"));  // one event that cannot be applied leaves no half of itself
    if (auto applied = apply_event(e.event, e.hash, id, e.offset, e.blobs); !applied) {
      MF_CHECK(db_->exec("ROLLBACK TO salvage"));
      out.damage.push_back(applied.error().describe() + "; left out");
    }
    MF_CHECK(db_->exec("RELEASE salvage"));
  }
  MF_CHECK(tx.commit());
  MF_TRY(last, db_->prepare("SELECT COALESCE(MAX(seq), 0) FROM messages"));
  MF_CHECK(last.step());
  next_message_ = last.column_int(0) + 1;
  out.events = events.size();
  return out;
}

Result<Archive::Rebuilt> Archive::rebuild(const std::string& dir) {
  Rebuilt out;
  auto& notes = out.notes;
  std::error_code ec;
  if (!fs::exists(dir + "/segments", ec)) return make_error(Errc::NotFound, "no archive here (segments missing)", dir);
  // The archive to itself: no writer's batch, no reader, until the catalog is whole again.
  auto wait = FileLock::Options{.shared = false, .wait = lock_wait()};
  MF_TRY(lock, FileLock::take(dir + "/archive.lock", "the archive", wait));
  MF_TRY(no_readers, FileLock::take(dir + "/archive.readers", "the archive's segments (being read)", wait));
  std::string db = dir + "/archive.db";
  if (fs::exists(db, ec)) {  // kept, not deleted: it may be evidence
    std::string aside = db + ".replaced-" + std::to_string(std::time(nullptr));
    for (const char* suffix : {"", "-wal", "-shm"})
      if (fs::exists(db + suffix, ec)) fs::rename(db + suffix, aside + suffix, ec);
    if (ec) return make_error(Errc::Io, "cannot move the old catalog aside: " + ec.message(), db);
    notes.push_back("the old catalog is now " + aside);
  }
  if (!fs::exists(segment_path(dir, 1), ec)) return make_error(Errc::NotFound, "no segments to rebuild from", dir);
  std::unique_ptr<Archive> a(new Archive());
  a->dir_ = dir;
  MF_TRY(opened, sql::Database::open(db));
  a->db_ = std::make_unique<sql::Database>(std::move(opened));
  MF_CHECK(a->db_->exec(kSchema));
  std::uint32_t id = 1;
  Replayed last;
  for (; fs::exists(segment_path(dir, id), ec); ++id) {
    MF_TRY(replayed, a->replay_segment(id, 0, true));
    notes.push_back(segment_path(dir, id) + ": " + std::to_string(replayed.events) + " events");
    out.damage.insert(out.damage.end(), replayed.damage.begin(), replayed.damage.end());
    bool last_segment = !fs::exists(segment_path(dir, id + 1), ec);
    // A torn end of the last segment is what a crash leaves; of another, damage.
    if (!replayed.problem.empty())
      (last_segment ? notes : out.damage).push_back(segment_path(dir, id) + " ends in " + replayed.problem);
    last = std::move(replayed);
  }
  MF_TRY(tx, sql::Transaction::begin(*a->db_));
  MF_CHECK(set_meta(*a->db_, "active_segment", std::to_string(id - 1)));
  MF_CHECK(set_meta(*a->db_, "committed_size", std::to_string(last.end)));
  MF_CHECK(tx.commit());
  MF_TRY(stats, a->stats());
  notes.push_back("rebuilt: " + std::to_string(stats.messages) + " messages, " + std::to_string(stats.placements) +
                  " placements, " + std::to_string(stats.events) + " events");
  return out;
}

// One event into the catalog. Reads only the event (and the frames' places):
// the same code applies a fresh batch, replays a crashed one and rebuilds.
Result<void> Archive::apply_event(const json& e, const std::string& hash, std::uint32_t segment,
                                  std::uint64_t offset, const Blobs& blobs) {
  auto corrupt = [&](const std::string& what) {
    return make_error(Errc::Corrupt, "event " + std::to_string(e.value("seq", 0ll)) + ": " + what,
                      where_of(segment, offset));
  };
  try {
    MF_TRY(insert, db_->prepare("INSERT INTO events(seq, type, time, hash, segment, offset) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    std::string type = e.at("type");
    insert.bind(1, e.at("seq").get<std::int64_t>()).bind(2, type).bind(3, e.at("time").get<std::int64_t>());
    insert.bind(4, hash).bind(5, std::int64_t{segment}).bind(6, static_cast<std::int64_t>(offset));
    MF_CHECK(insert.run());
    std::int64_t seq = e.at("seq");
    if (type == "ingest") {
      // A frame purged later is gone: its row is kept with no place (0, 0).
      auto where = [&](const std::string& sha) {
        auto blob = blobs.find(sha);
        return blob == blobs.end() ? Blob{} : blob->second;
      };
      MF_TRY(b, db_->prepare("INSERT INTO bodies(sha256, size, stored_size, segment, offset, event) VALUES "
                             "(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(sha256) DO UPDATE SET stored_size = ?3, "
                             "segment = ?4, offset = ?5, event = ?6"));
      for (const auto& body : e.at("bodies")) {
        auto at = where(body.at("sha256"));
        b.bind_blob(1, digest_blob(body.at("sha256").get<std::string>())).bind(2, body.at("size").get<std::int64_t>());
        b.bind(3, body.at("stored").get<std::int64_t>()).bind(4, std::int64_t{at.segment});
        b.bind(5, static_cast<std::int64_t>(at.offset)).bind(6, seq);
        MF_CHECK(b.run());
        b.reset();
      }
      MF_TRY(m, db_->prepare("INSERT INTO messages(seq, sha256, raw_size, stored_size, segment, offset, body, base, "
                             "parsed, message_id, subject, date, event) VALUES (?1, ?2, ?3, ?5, ?6, ?7, "
                             "COALESCE((SELECT id FROM bodies WHERE sha256 = ?8), 0), ?4, ?9, ?10, ?11, ?12, ?13)"));
      for (const auto& msg : e.at("messages")) {
        auto at = where(msg.at("head"));
        m.bind(1, msg.at("message").get<std::int64_t>()).bind_blob(2, digest_blob(msg.at("sha256").get<std::string>()));
        m.bind(3, msg.at("size").get<std::int64_t>()).bind(4, at.base);
        m.bind(5, msg.at("stored").get<std::int64_t>()).bind(6, std::int64_t{at.segment});
        m.bind(7, static_cast<std::int64_t>(at.offset)).bind_blob(8, digest_blob(msg.at("body").get<std::string>()));
        m.bind(9, std::int64_t{msg.at("parsed").get<bool>()}).bind(10, msg.at("message_id").get<std::string>());
        m.bind(11, msg.at("subject").get<std::string>()).bind(12, msg.at("date").get<std::int64_t>()).bind(13, seq);
        MF_CHECK(m.run());
        m.reset();
      }
      MF_CHECK(apply_placements(e.at("placements"), seq));
    } else if (type == "dictionary") {
      auto frame = blobs.find(e.at("sha256").get<std::string>());
      if (frame == blobs.end()) return corrupt("a dictionary without its dictionary frame");
      MF_TRY(d, db_->prepare("INSERT INTO dictionaries(id, sha256, segment, offset, event) VALUES (?1, ?2, ?3, ?4, ?5)"));
      d.bind(1, e.at("dictionary").get<std::int64_t>()).bind(2, e.at("sha256").get<std::string>());
      d.bind(3, std::int64_t{frame->second.segment}).bind(4, static_cast<std::int64_t>(frame->second.offset));
      d.bind(5, seq);
      MF_CHECK(d.run());
    } else if (type == "policy") {
      MF_CHECK(set_meta(*db_, "policy", event_text(e.at("policy"))));
      MF_TRY(raise, db_->prepare(kRaiseRetention));
      for (const auto& r : e.at("raised")) {
        raise.bind(1, r.at(0).get<std::int64_t>()).bind(2, r.at(2).get<std::int64_t>()).bind(3, r.at(1).get<std::string>());
        MF_CHECK(raise.run());
        raise.reset();
      }
    } else if (type == "hold") {
      MF_TRY(h, db_->prepare("INSERT INTO holds(name, query, user, time, event) VALUES (?1, ?2, ?3, ?4, ?5)"));
      h.bind(1, e.at("case").get<std::string>()).bind(2, e.at("query").get<std::string>());
      h.bind(3, e.at("user").get<std::string>()).bind(4, e.at("time").get<std::int64_t>()).bind(5, seq);
      MF_CHECK(h.run());
    } else if (type == "release") {
      MF_TRY(r, db_->prepare("UPDATE holds SET released = ?1 WHERE name = ?2 AND released IS NULL"));
      r.bind(1, seq).bind(2, e.at("case").get<std::string>());
      MF_CHECK(r.run());
    } else if (type == "purge") {
      MF_TRY(p, db_->prepare("UPDATE messages SET purged = ?1 WHERE seq = ?2 AND sha256 = ?3 AND purged IS NULL"));
      for (const auto& t : e.at("messages")) {
        p.bind(1, seq).bind(2, t.at("message").get<std::int64_t>()).bind_blob(3, digest_blob(t.at("sha256").get<std::string>()));
        MF_CHECK(p.run());
        p.reset();
        if (db_->changes() != 1) return corrupt("a tombstone for message " + t.at("message").dump() + " that is not archived");
      }
    }
  } catch (const json::exception& x) {
    return corrupt(std::string("a field is missing or of the wrong type (") + x.what() + ")");
  }
  return {};
}

Result<void> Archive::apply_placements(const json& placements, std::int64_t event) {
  MF_TRY(mailbox, db_->prepare("INSERT INTO mailboxes(account, folder) VALUES (?1, ?2) ON CONFLICT DO NOTHING"));
  MF_TRY(source, db_->prepare("INSERT INTO sources(url) VALUES (?1) ON CONFLICT DO NOTHING"));
  MF_TRY(insert, db_->prepare("INSERT INTO placements(message, mailbox, copy, flags, internaldate, source, class, "
                              "event) SELECT ?1, id, ?4, ?5, ?6, (SELECT id FROM sources WHERE url = ?7), ?8, ?9 "
                              "FROM mailboxes WHERE account = ?2 AND folder = ?3"));
  MF_TRY(raise, db_->prepare(kRaiseRetention));
  std::set<std::pair<std::string, std::string>> mailboxes;
  std::set<std::string> sources;
  for (const auto& p : placements) {
    std::string account = p.at("account"), folder = p.at("folder");
    if (mailboxes.insert({account, folder}).second) {  // a batch is mostly one folder of one source
      mailbox.bind(1, account).bind(2, folder);
      MF_CHECK(mailbox.run());
      mailbox.reset();
    }
    if (std::string url = p.at("source"); sources.insert(url).second) {
      source.bind(1, url);
      MF_CHECK(source.run());
      source.reset();
    }
    std::int64_t message = p.at("message");
    insert.bind(1, message).bind(2, account).bind(3, folder);
    insert.bind(4, p.at("copy").get<std::int64_t>()).bind(5, event_text(p.at("flags")));
    insert.bind(6, p.at("internaldate").get<std::int64_t>()).bind(7, p.at("source").get<std::string>());
    insert.bind(8, p.at("class").get<std::string>()).bind(9, event);
    MF_CHECK(insert.run());
    insert.reset();
    raise.bind(1, message).bind(2, p.at("retain_until").get<std::int64_t>()).bind(3, p.at("class").get<std::string>());
    MF_CHECK(raise.run());
    raise.reset();
  }
  return {};
}

Result<std::uint64_t> Archive::append_event(Batch& batch, json event) {
  event["seq"] = next_event_;
  event["time"] = static_cast<std::int64_t>(std::time(nullptr));
  event["prev"] = head_hash_;
  std::string text = event_text(event);
  FrameHeader h;
  h.kind = FrameKind::Event;
  h.content_size = text.size();
  h.sha256 = sha256(text);
  std::string payload = text;
  if (text.size() >= kCompressEventsFrom) {  // placements repeat account, folder and source names
    std::string packed(ZSTD_compressBound(text.size()), '\0');
    std::size_t n = ZSTD_compress(packed.data(), packed.size(), text.data(), text.size(), kZstdLevel);
    if (ZSTD_isError(n)) return make_error(Errc::Io, std::string("zstd: ") + ZSTD_getErrorName(n));
    packed.resize(n);
    if (n < text.size()) payload = std::move(packed), h.compressed = true;
  }
  h.payload_size = payload.size();
  MF_TRY(offset, segment_->append(h, payload));
  head_hash_ = to_hex(h.sha256);
  ++next_event_;
  batch.events.push_back({std::move(event), head_hash_, offset});
  return offset;
}

Result<void> Archive::commit(Batch& batch) {
  MF_CHECK(segment_->flush());
  crash_point("archive-written");
  MF_CHECK(segment_->sync());  // durable before anything is acknowledged
  crash_point("archive-synced");
  if (!batch.tx) {
    MF_TRY(tx, sql::Transaction::begin(*db_));
    batch.tx.emplace(std::move(tx));
  }
  for (const auto& e : batch.events) MF_CHECK(apply_event(e.event, e.hash, segment_->id(), e.offset, batch.blobs));
  MF_CHECK(set_meta(*db_, "committed_size", std::to_string(segment_->size())));
  return batch.tx->commit();
}

Result<void> Archive::roll_segment_if_full() {
  if (segment_->size() < kSegmentLimit) return {};
  MF_CHECK(segment_->seal());
  std::uint32_t next = segment_->id() + 1;
  MF_TRY(writer, SegmentWriter::open(dir_, next, 0));
  MF_TRY(tx, sql::Transaction::begin(*db_));
  MF_CHECK(set_meta(*db_, "active_segment", std::to_string(next)));
  MF_CHECK(set_meta(*db_, "committed_size", "0"));
  MF_CHECK(tx.commit());
  segment_ = std::make_unique<SegmentWriter>(std::move(writer));
  return {};
}

Result<std::vector<IngestResult>> Archive::ingest(const std::vector<IngestRequest>& requests) {
  MF_TRY(writing, begin_write());
  if (!segment_) return make_error(Errc::Corrupt, "archive damaged, nothing written: " + damage_, dir_);
  MF_CHECK(roll_segment_if_full());
  auto size = segment_->size();
  auto head = head_hash_;
  auto next_event = next_event_, next_message = next_message_;
  auto dictionary = current_dictionary_;
  auto done = ingest_batch(requests);
  if (!done) {  // nothing of it was acknowledged: leave no trace of it
    (void)segment_->truncate(size);
    if (current_dictionary_ != dictionary) {
      dictionaries_.erase(current_dictionary_);
      current_dictionary_ = dictionary;
      cdict_.reset();
    }
    head_hash_ = head;
    next_event_ = next_event;
    next_message_ = next_message;
  }
  return done;
}

Result<std::vector<IngestResult>> Archive::ingest_batch(const std::vector<IngestRequest>& requests) {
  Batch batch;
  MF_TRY(tx, sql::Transaction::begin(*db_));
  batch.tx.emplace(std::move(tx));
  if (current_dictionary_ == 0) MF_CHECK(train_dictionary(requests, batch));
  std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> cctx(ZSTD_createCCtx(), &ZSTD_freeCCtx),
      delta_cctx(ZSTD_createCCtx(), &ZSTD_freeCCtx);
  std::vector<IngestResult> results;
  std::map<std::string, std::int64_t> new_in_batch;  // sha256 -> message number
  std::set<std::tuple<std::string, std::string, std::int64_t, std::uint32_t>> placed_in_batch;
  json messages = json::array(), bodies = json::array(), placements = json::array();
  std::set<std::string> new_bodies;  // SHA-256 of bodies stored in this batch
  std::map<std::string, std::pair<std::int64_t, std::string>> bases_in_batch;  // body -> message with its whole head
  auto now = static_cast<std::int64_t>(std::time(nullptr));
  // A body stored before, and the first message ending with it whose head is whole (the base for a delta).
  MF_TRY(find_body, db_->prepare("SELECT COALESCE((SELECT m.seq FROM messages m WHERE m.body = b.id AND m.body != 0 AND m.base = 0 "
                                 "AND m.purged IS NULL ORDER BY m.seq LIMIT 1), 0) FROM bodies b "
                                 "WHERE b.sha256 = ?1 AND b.segment != 0"));
  MF_TRY(find_message, db_->prepare("SELECT seq FROM messages WHERE sha256 = ?1 AND purged IS NULL"));
  MF_TRY(find_placement, db_->prepare("SELECT 1 FROM placements p JOIN mailboxes b ON b.id = p.mailbox WHERE "
                                      "b.account = ?1 AND b.folder = ?2 AND p.message = ?3 AND p.copy = ?4"));
  for (const auto& r : requests) {
    IngestResult result;
    if (r.raw.empty() || r.raw.size() > kMaxContentSize) {
      result.outcome = IngestOutcome::Rejected;
      result.reason = r.raw.empty() ? "empty message" : "larger than 1 GiB, the most the archive holds per message";
      results.push_back(result);
      continue;
    }
    auto digest = r.sha256 ? *r.sha256 : sha256(r.raw);
    std::string sha = to_hex(digest);
    std::int64_t message = 0;
    if (auto it = new_in_batch.find(sha); it != new_in_batch.end()) {
      message = it->second;
    } else {
      find_message.bind_blob(1, digest_bytes(digest));
      MF_TRY(found, find_message.step());
      if (found) message = find_message.column_int(0);
      find_message.reset();
    }
    const auto& p = r.placement;
    if (message != 0) {
      find_placement.bind(1, p.account).bind(2, p.folder).bind(3, message).bind(4, std::int64_t{p.copy});
      MF_TRY(placed, find_placement.step());
      find_placement.reset();
      placed = placed || placed_in_batch.count({p.account, p.folder, message, p.copy});
      result.outcome = placed ? IngestOutcome::AlreadyPresent : IngestOutcome::Deduplicated;
    }
    result.message = message;
    if (result.outcome == IngestOutcome::AlreadyPresent) {  // a re-import: nothing to read of it
      results.push_back(std::move(result));
      continue;
    }
    mime::Headers headers(r.raw);
    auto date = mime::parse_date(headers.value("Date"));
    if (message == 0) {  // new: its frames now, its entry in the batch's ingest event
      auto cut = mime::header_section_end(r.raw);
      std::string_view head_bytes = r.raw.substr(0, cut), body_bytes = r.raw.substr(cut);
      auto head_digest = sha256(head_bytes);
      std::string head = to_hex(head_digest), body;
      std::int64_t base = 0;
      std::string base_bytes;
      if (!body_bytes.empty()) {
        auto body_digest = sha256(body_bytes);
        body = to_hex(body_digest);
        if (auto it = bases_in_batch.find(body); it != bases_in_batch.end()) {
          base = it->second.first;
          base_bytes = it->second.second;
        } else if (!new_bodies.count(body)) {
          find_body.bind_blob(1, digest_bytes(body_digest));
          MF_TRY(stored_before, find_body.step());
          if (stored_before && find_body.column_int(0) != 0) {
            base = find_body.column_int(0);
            MF_TRY(bytes, head_of(base, true));
            base_bytes = std::move(bytes);
          }
          find_body.reset();
          if (!stored_before) {
            new_bodies.insert(body);
            MF_TRY(body_stored, store_frame(batch, FrameKind::Body, body_bytes, body_digest, *cctx));
            bodies.push_back({{"sha256", body}, {"size", body_bytes.size()}, {"stored", body_stored}});
          }
        }
      }
      std::uint64_t head_stored = 0;  // stays 0 for a head this batch stored already (messages differing in body only)
      if (!batch.blobs.count(head)) {
        MF_TRY(stored, base != 0 ? store_delta(batch, head_bytes, head_digest, base, base_bytes, *delta_cctx)
                                 : store_frame(batch, FrameKind::Message, head_bytes, head_digest, *cctx));
        head_stored = stored;
      }
      message = next_message_++;
      new_in_batch[sha] = message;
      if (base == 0 && !body.empty()) bases_in_batch.emplace(body, std::make_pair(message, std::string(head_bytes)));
      messages.push_back({{"message", message},
                          {"sha256", sha},
                          {"size", r.raw.size()},
                          {"head", head},
                          {"stored", head_stored},
                          {"body", body},
                          {"parsed", headers.well_formed()},
                          {"message_id", headers.value("Message-ID").substr(0, 998)},
                          {"subject", headers.value("Subject").substr(0, 998)},
                          {"date", date ? date->epoch : 0}});
      result.outcome = IngestOutcome::Archived;
      result.message = message;
    }
    placed_in_batch.insert({p.account, p.folder, message, p.copy});
    auto retention = policy_->retention(PlacementFacts{p.account, p.folder, headers},
                                        retention_basis(date ? date->epoch : 0, p.internaldate, now));
    placements.push_back({{"message", message},
                          {"account", p.account},
                          {"folder", p.folder},
                          {"flags", p.flags},
                          {"internaldate", p.internaldate},
                          {"source", p.source},
                          {"copy", p.copy},
                          {"class", retention.class_name},
                          {"retain_until", retention.until}});
    results.push_back(std::move(result));
  }
  if (!placements.empty())
    MF_CHECK(append_event(batch, json{{"type", "ingest"}, {"messages", std::move(messages)},
                                      {"bodies", std::move(bodies)}, {"placements", std::move(placements)}}));
  if (!batch.events.empty()) MF_CHECK(commit(batch));
  return results;
}

// A message's head or body as a frame, compressed with the current dictionary.
Result<std::uint64_t> Archive::store_frame(Batch& batch, FrameKind kind, std::string_view bytes, const Digest& digest,
                                          ZSTD_CCtx& cctx) {
  MF_TRY(header, compress_frame(kind, bytes, digest, cctx));
  MF_TRY(offset, segment_->append(header, std::string_view(compress_buffer_.data(), header.payload_size)));
  batch.blobs[to_hex(header.sha256)] = {segment_->id(), offset};
  return header.payload_size;
}

Result<FrameHeader> Archive::compress_frame(FrameKind kind, std::string_view bytes, const Digest& digest,
                                           ZSTD_CCtx& cctx) {
  compress_buffer_.resize(ZSTD_compressBound(bytes.size()));
  std::size_t n = cdict_ ? ZSTD_compress_usingCDict(&cctx, compress_buffer_.data(), compress_buffer_.size(), bytes.data(),
                                                    bytes.size(), static_cast<const ZSTD_CDict*>(cdict_.get()))
                         : ZSTD_compressCCtx(&cctx, compress_buffer_.data(), compress_buffer_.size(), bytes.data(),
                                             bytes.size(), kZstdLevel);
  if (ZSTD_isError(n)) return make_error(Errc::Io, std::string("zstd: ") + ZSTD_getErrorName(n));
  FrameHeader h;
  h.kind = kind;
  h.compressed = true;
  h.dictionary = current_dictionary_;
  h.payload_size = n;
  h.content_size = bytes.size();
  h.sha256 = digest;
  return h;
}

// Copies of one mail (delivered to several mailboxes, or sent and
// received) share the body and most of the head: the head is compressed
// with the base message's head as zstd's prefix, a few dozen bytes.
Result<std::uint64_t> Archive::store_delta(Batch& batch, std::string_view head, const Digest& digest, std::int64_t base,
                                          const std::string& base_head, ZSTD_CCtx& cctx) {
  std::string payload = delta_prefix(base);
  payload.resize(8 + ZSTD_compressBound(head.size()));
  std::size_t n = ZSTD_CCtx_reset(&cctx, ZSTD_reset_session_and_parameters);
  if (!ZSTD_isError(n)) n = ZSTD_CCtx_setParameter(&cctx, ZSTD_c_compressionLevel, kZstdLevel);
  if (!ZSTD_isError(n)) n = ZSTD_CCtx_refPrefix(&cctx, base_head.data(), base_head.size());
  if (!ZSTD_isError(n)) n = ZSTD_compress2(&cctx, payload.data() + 8, payload.size() - 8, head.data(), head.size());
  if (ZSTD_isError(n)) return make_error(Errc::Io, std::string("zstd: ") + ZSTD_getErrorName(n));
  payload.resize(8 + n);
  FrameHeader h;
  h.kind = FrameKind::Message;
  h.compressed = h.delta = true;
  h.payload_size = payload.size();
  h.content_size = head.size();
  h.sha256 = digest;
  MF_TRY(offset, segment_->append(h, payload));
  batch.blobs[to_hex(h.sha256)] = {segment_->id(), offset, base};
  return payload.size();
}

// Small messages compress far better with a dictionary of what mail looks
// like (headers, MIME boilerplate): trained once, from the first batch
// large enough, and kept in the segments like everything else.
Result<void> Archive::train_dictionary(const std::vector<IngestRequest>& batch, Batch& frames) {
  // Samples of at most 16 KB each, none with a long run of one byte: one odd
  // message must not make the dictionary. A result under 16 KB means the
  // samples were poor: they are dropped and fresh ones gathered.
  constexpr std::size_t kMinSamples = 64, kDictionarySize = 112 << 10, kSampleLimit = 16 << 10,
                        kUsefulSize = 16 << 10;
  // Samples gather over batches (small folders make small batches), up to
  // 896 KB and at least 64 of them.
  for (const auto& r : batch) {
    if (samples_.size() >= 8 * kDictionarySize && sample_sizes_.size() >= kMinSamples) break;
    auto sample = r.raw.substr(0, kSampleLimit);
    if (has_long_run(sample)) continue;
    samples_.append(sample);
    sample_sizes_.push_back(sample.size());
  }
  if (sample_sizes_.size() < kMinSamples || samples_.size() < 4 * kDictionarySize) return {};
  std::string dict(kDictionarySize, '\0');
  // zstd's default trainer tries four segment sizes; on mail it picks
  // k = 200 (the corpus compresses to the same byte with either) in 56 ms
  // instead of 8: time a migration's archive thread waits at its end.
  ZDICT_fastCover_params_t params{};
  params.k = 200;
  params.d = 8;
  params.f = 20;
  params.accel = 1;
  params.zParams.compressionLevel = kZstdLevel;
  std::size_t n = ZDICT_trainFromBuffer_fastCover(dict.data(), dict.size(), samples_.data(), sample_sizes_.data(),
                                                  static_cast<unsigned>(sample_sizes_.size()), params);
  samples_.clear();
  sample_sizes_.clear();
  if (ZDICT_isError(n) || n < kUsefulSize) return {};  // not enough variety yet: try again later
  dict.resize(n);
  std::uint16_t id = 1;
  FrameHeader h;
  h.kind = FrameKind::Dictionary;
  h.dictionary = id;
  h.payload_size = h.content_size = dict.size();
  h.sha256 = sha256(dict);
  MF_TRY(offset, segment_->append(h, dict));
  frames.blobs[to_hex(h.sha256)] = {segment_->id(), offset};
  MF_CHECK(append_event(frames, json{{"type", "dictionary"}, {"dictionary", id}, {"sha256", to_hex(h.sha256)},
                                     {"size", dict.size()}}));
  std::shared_ptr<void> cdict(ZSTD_createCDict(dict.data(), dict.size(), kZstdLevel),
                              [](void* p) { ZSTD_freeCDict(static_cast<ZSTD_CDict*>(p)); });
  if (!cdict) return make_error(Errc::Io, "zstd could not load the new dictionary");
  dictionaries_.insert_or_assign(id, Dictionary(std::move(dict)));
  current_dictionary_ = id;
  cdict_ = std::move(cdict);
  return {};
}

Result<const Dictionary*> Archive::dictionary(std::uint16_t id) {
  if (id == 0) return static_cast<const Dictionary*>(nullptr);
  if (auto it = dictionaries_.find(id); it != dictionaries_.end()) return &it->second;
  MF_TRY(q, db_->prepare("SELECT sha256, segment, offset FROM dictionaries WHERE id = ?1"));
  q.bind(1, std::int64_t{id});
  MF_TRY(row, q.step());
  if (!row) return make_error(Errc::Corrupt, "dictionary " + std::to_string(id) + " is not in the catalog", dir_);
  auto segment = static_cast<std::uint32_t>(q.column_int(1));
  auto offset = static_cast<std::uint64_t>(q.column_int(2));
  MF_TRY(frame, read_frame(segment_path(dir_, segment), offset));
  if (frame.header.kind != FrameKind::Dictionary || to_hex(sha256(frame.payload)) != q.column_text(0))
    return make_error(Errc::Corrupt, "dictionary " + std::to_string(id) + " does not match its hash",
                      where_of(segment, offset));
  return &dictionaries_.insert_or_assign(id, Dictionary(std::move(frame.payload))).first->second;
}

Result<void> Archive::load_current_dictionary() {
  MF_TRY(q, db_->prepare("SELECT COALESCE(MAX(id), 0) FROM dictionaries"));
  MF_CHECK(q.step());
  auto id = static_cast<std::uint16_t>(q.column_int(0));
  if (id == 0) return {};
  MF_TRY(dict, dictionary(id));
  cdict_ = std::shared_ptr<void>(ZSTD_createCDict(dict->bytes.data(), dict->bytes.size(), kZstdLevel),
                                 [](void* p) { ZSTD_freeCDict(static_cast<ZSTD_CDict*>(p)); });
  if (!cdict_) return make_error(Errc::Io, "zstd could not load dictionary " + std::to_string(id), dir_);
  current_dictionary_ = id;
  return {};
}

Result<void> Archive::record(const std::string& type, json data) {
  data["type"] = type;
  return record_all({std::move(data)});
}

Result<void> Archive::record_all(std::vector<json> events) {
  MF_TRY(writing, begin_write());
  if (!segment_) return make_error(Errc::Corrupt, "archive damaged, nothing written: " + damage_, dir_);
  MF_CHECK(roll_segment_if_full());
  auto size = segment_->size();
  auto head = head_hash_;
  auto next_event = next_event_;
  Batch batch;
  Result<void> done;
  for (auto& e : events) {
    auto appended = append_event(batch, std::move(e));
    if (!appended) {
      done = appended.error();
      break;
    }
  }
  if (done) done = commit(batch);
  if (!done) {
    (void)segment_->truncate(size);
    head_hash_ = head;
    next_event_ = next_event;
  }
  return done;
}

Result<void> Archive::audit(const std::string& command, json details) {
  details["user"] = actor_;
  details["command"] = command;
  return record("audit", std::move(details));
}

Result<std::string> Archive::read_content(FrameKind kind, std::uint32_t segment, std::uint64_t offset,
                                          const std::string& sha, bool whole_only) {
  MF_TRY(frame, read_frame(segment_path(dir_, segment), offset));
  if (frame.header.kind != kind || (!sha.empty() && to_hex(frame.header.sha256) != sha))
    return make_error(Errc::Corrupt, "the frame here is not the one the catalog names (" + sha + ")",
                      where_of(segment, offset));
  std::string base;
  if (frame.header.delta) {
    if (whole_only)  // a base is never a delta itself: one level, no loop
      return make_error(Errc::Corrupt, "a delta's base head is itself a delta", where_of(segment, offset));
    MF_TRY(bytes, head_of(delta_base(frame.header, frame.payload), true));
    base = std::move(bytes);
  }
  MF_TRY(dict, dictionary(frame.header.dictionary));
  return frame_content(frame.header, frame.payload, dict, where_of(segment, offset), &base);
}

Result<std::string> Archive::head_of(std::int64_t message, bool as_base) {
  MF_TRY(q, db_->prepare("SELECT segment, offset FROM messages WHERE seq = ?1 AND segment != 0"));
  q.bind(1, message);
  MF_TRY(row, q.step());
  if (!row) return make_error(as_base ? Errc::Corrupt : Errc::NotFound,
                              "message " + std::to_string(message) + " has no head in the archive", dir_);
  return read_content(FrameKind::Message, static_cast<std::uint32_t>(q.column_int(0)),
                      static_cast<std::uint64_t>(q.column_int(1)), "", as_base);
}

Result<std::string> Archive::get(std::int64_t message) {
  MF_TRY(reading, begin_read());
  MF_TRY(q, db_->prepare("SELECT lower(hex(m.sha256)), m.segment, m.offset, m.purged, lower(hex(b.sha256)), "
                         "b.segment, b.offset FROM messages m LEFT JOIN bodies b ON b.id = m.body WHERE m.seq = ?1"));
  q.bind(1, message);
  MF_TRY(row, q.step());
  std::string name = "message " + std::to_string(message);
  if (!row) return make_error(Errc::NotFound, "no " + name + " in the archive", dir_);
  if (!q.column_is_null(3))
    return make_error(Errc::NotFound, name + " was purged (event " + std::to_string(q.column_int(3)) + ")", dir_);
  std::string sha = q.column_text(0), body = q.column_is_null(4) ? "" : q.column_text(4);
  MF_TRY(raw, read_content(FrameKind::Message, static_cast<std::uint32_t>(q.column_int(1)),
                           static_cast<std::uint64_t>(q.column_int(2)), ""));  // checked whole, below
  if (!body.empty()) {
    if (q.column_is_null(5) || q.column_int(5) == 0)
      return make_error(Errc::Corrupt, name + ": its body " + body + " is not in the archive", dir_);
    MF_TRY(body_bytes, read_content(FrameKind::Body, static_cast<std::uint32_t>(q.column_int(5)),
                                    static_cast<std::uint64_t>(q.column_int(6)), body));
    raw += body_bytes;
  }
  std::string actual = to_hex(sha256(raw));
  if (actual != sha)
    return make_error(Errc::Corrupt, name + " does not match its hash (stored " + sha + ", read " + actual + ")", dir_);
  return raw;
}

Result<std::optional<std::int64_t>> Archive::find_by_message_id(const std::string& message_id) {
  MF_TRY(q, db_->prepare("SELECT seq FROM messages WHERE message_id = ?1 AND purged IS NULL ORDER BY seq LIMIT 1"));
  q.bind(1, message_id);
  MF_TRY(row, q.step());
  if (!row) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{q.column_int(0)};
}

Result<bool> Archive::has_placement(const std::string& sha256, const Placement& p) {
  MF_TRY(q, db_->prepare("SELECT 1 FROM placements pl JOIN messages m ON m.seq = pl.message JOIN mailboxes b ON "
                         "b.id = pl.mailbox WHERE m.sha256 = ?1 AND m.purged IS NULL AND b.account = ?2 AND "
                         "b.folder = ?3 AND pl.copy = ?4"));
  q.bind_blob(1, digest_blob(sha256)).bind(2, p.account).bind(3, p.folder).bind(4, std::int64_t{p.copy});
  return q.step();
}

Result<std::string> Archive::read_event(std::uint32_t segment, std::uint64_t offset) {
  MF_TRY(frame, read_frame(segment_path(dir_, segment), offset));
  if (frame.header.kind != FrameKind::Event)
    return make_error(Errc::Corrupt, "the catalog points at a frame that is no event", where_of(segment, offset));
  return frame_content(frame.header, frame.payload, nullptr, where_of(segment, offset));
}

Result<std::vector<std::string>> Archive::events(const std::string& type, std::int64_t since) {
  MF_TRY(reading, begin_read());
  MF_TRY(q, db_->prepare("SELECT segment, offset FROM events WHERE (?1 = '' OR type = ?1) AND time >= ?2 ORDER BY seq"));
  q.bind(1, type).bind(2, since);
  std::vector<std::string> out;
  MF_CHECK(q.each([&](auto&) -> Result<void> {
    MF_TRY(text, read_event(static_cast<std::uint32_t>(q.column_int(0)), static_cast<std::uint64_t>(q.column_int(1))));
    out.push_back(std::move(text));
    return {};
  }));
  return out;
}

Result<json> Archive::checkpoint() {
  MF_TRY(writing, begin_write());  // the head taken is the head the checkpoint event follows
  if (!segment_) return make_error(Errc::Corrupt, "archive damaged: " + damage_, dir_);
  std::error_code ec;
  json head = {{"format", "mailferry-archive-checkpoint/1"},
               {"archive", fs::absolute(dir_, ec).string()},
               {"event", next_event_ - 1},
               {"hash", head_hash_},
               {"messages", next_message_ - 1},
               {"time", static_cast<std::int64_t>(std::time(nullptr))}};
  MF_CHECK(record("checkpoint", {{"of_event", next_event_ - 1}, {"hash", head_hash_}}));
  return Result<json>(boost::system::in_place_value, std::move(head));
}

Result<std::optional<std::string>> Archive::event_hash(std::int64_t seq) {
  MF_TRY(q, db_->prepare("SELECT hash FROM events WHERE seq = ?1"));
  q.bind(1, seq);
  MF_TRY(row, q.step());
  if (!row) return std::optional<std::string>{};
  return std::optional<std::string>{q.column_text(0)};
}

Result<Stats> Archive::stats() {
  Stats s;
  MF_TRY(m, db_->prepare("SELECT COUNT(*), COALESCE(SUM(raw_size), 0), COALESCE(SUM(stored_size), 0), "
                         "COALESCE(SUM(parsed = 0), 0) FROM messages WHERE purged IS NULL"));
  MF_CHECK(m.step());
  s.messages = m.column_int(0);
  s.raw_bytes = m.column_int(1);
  s.stored_bytes = m.column_int(2);
  s.unparsed = m.column_int(3);
  MF_TRY(b, db_->prepare("SELECT COUNT(*), COALESCE(SUM(stored_size), 0) FROM bodies b WHERE EXISTS "
                         "(SELECT 1 FROM messages m WHERE m.body = b.id AND m.body != 0 AND m.purged IS NULL)"));
  MF_CHECK(b.step());
  s.bodies = b.column_int(0);
  s.stored_bytes += b.column_int(1);
  MF_TRY(gone, db_->prepare("SELECT COUNT(*) FROM messages WHERE purged IS NOT NULL"));
  MF_CHECK(gone.step());
  s.purged = gone.column_int(0);
  MF_TRY(p, db_->prepare("SELECT COUNT(*), COALESCE(SUM(m.raw_size), 0) FROM placements p JOIN messages m ON "
                         "m.seq = p.message WHERE m.purged IS NULL"));
  MF_CHECK(p.step());
  s.placements = p.column_int(0);
  s.placed_bytes = p.column_int(1);
  MF_TRY(e, db_->prepare("SELECT COUNT(*) FROM events"));
  MF_CHECK(e.step());
  s.events = e.column_int(0);
  MF_TRY(a, db_->prepare("SELECT b.account, COUNT(*), SUM(m.raw_size) FROM placements p JOIN messages m ON "
                         "m.seq = p.message JOIN mailboxes b ON b.id = p.mailbox WHERE m.purged IS NULL "
                         "GROUP BY b.account ORDER BY b.account"));
  MF_CHECK(a.each([&](auto&) {
    s.accounts.push_back({a.column_text(0), {static_cast<std::uint64_t>(a.column_int(1)),
                                             static_cast<std::uint64_t>(a.column_int(2))}});
  }));
  return s;
}

}  // namespace mf::archive
