// Opening, the locks, and the chain of events: recovery and replay of what
// a crash left, rebuild, applying events to the catalog, appending and
// committing them (docs/formats/archive.md).
#include "archive/archive.h"

#include "archive/detail/batch.h"
#include "archive/detail/catalog.h"
#include "core/atomic_file.h"
#include "core/crash_point.h"

#include <zstd.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>

namespace mf::archive {

using namespace detail;
using nlohmann::json;
namespace fs = std::filesystem;

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

Result<std::unique_ptr<Archive>> Archive::open_read_only(const std::string& dir, std::string actor) {
  std::error_code ec;
  if (!fs::exists(dir + "/archive.db", ec)) return make_error(Errc::NotFound, "no archive here (archive.db missing)", dir);
  std::unique_ptr<Archive> a(new Archive());
  a->dir_ = dir;
  a->actor_ = std::move(actor);
  a->read_only_ = true;
  MF_TRY(db, sql::Database::open_read_only(dir + "/archive.db"));
  a->db_ = std::make_unique<sql::Database>(std::move(db));
  MF_TRY(format, meta(*a->db_, "format"));
  if (!known_format(format))
    return make_error(Errc::Corrupt, "archive format " + format + " is not 2 or 3 (this mailferry's)", dir);
  MF_TRY(packs, a->db_->prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'packs'"));
  MF_TRY(has_packs, packs.step());
  a->has_packs_table_ = has_packs;
  // What the catalog has committed is what is read: a tail a crash left is
  // neither replayed nor cut (that is a writer's work).
  MF_CHECK(a->load_head());
  MF_CHECK(a->load_current_dictionary());
  MF_CHECK(a->load_policy());
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
  if (!known_format(format))
    return make_error(Errc::Corrupt, "archive format " + format + " is not 2 or 3 (this mailferry's)", dir_);
  MF_CHECK(finish_compaction());
  MF_CHECK(finish_sealing());
  MF_CHECK(recover(notes));
  MF_CHECK(load_current_dictionary());
  return load_policy();
}

Archive::WriteScope::~WriteScope() {
  if (archive_ && --archive_->write_depth_ == 0) archive_->write_lock_.reset();
}

Result<Archive::WriteScope> Archive::begin_write() {
  if (read_only_)
    return make_error(Errc::Perm, "the archive is open for reading only (a read-only copy or mount): nothing is written",
                      dir_);
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
  return FileLock::take(dir_ + "/archive.readers", "the archive's segments",
                        {.shared = true, .wait = lock_wait(), .read_only = read_only_});
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

Result<void> Archive::load_head() {
  MF_TRY(head, db_->prepare("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"));
  MF_TRY(has_head, head.step());
  next_event_ = has_head ? head.column_int(0) + 1 : 1;
  head_hash_ = has_head ? head.column_text(1) : std::string();
  MF_TRY(last_message, db_->prepare("SELECT COALESCE(MAX(seq), 0) FROM messages"));
  MF_CHECK(last_message.step());
  next_message_ = last_message.column_int(0) + 1;
  return {};
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
  MF_CHECK(load_head());

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
  // What was replayed or cut is made durable; a segment as long as the
  // catalog says was synced before that size was committed.
  if (size != *committed) MF_CHECK(writer.sync());
  segment_ = std::make_unique<SegmentWriter>(std::move(writer));
  return {};
}

// Follows the chain through a segment's or a pack's frames in storage
// order: the events that continue it, with the frames their batches stored.
struct Archive::ChainReplay {
  struct Pending {
    json event;
    std::string hash;
    std::uint64_t offset;
    Blobs blobs;  // the frames between the event before and this one: its batch's
  };
  Archive& archive;
  bool salvage;
  Replayed out;
  std::vector<Pending> events;
  Blobs blobs;
  bool chain_broken = false;

  void frame(const std::string& sha, Blob at) { blobs[sha] = at; }  // kept only if an event follows it
  // An event frame at `offset` (`text`: its JSON, or why it cannot be read).
  void event(const std::string& where, std::uint64_t offset, std::uint64_t end, const Result<std::string>& text,
             const std::string& sha) {
    if (chain_broken) return;
    auto e = text ? json::parse(*text, nullptr, false) : json();
    bool intact = !e.is_discarded() && e.is_object() && to_hex(sha256(*text)) == sha;
    std::int64_t seq = intact ? e.value("seq", 0ll) : 0;
    if (!intact || seq != archive.next_event_ || e.value("prev", "") != archive.head_hash_) {
      if (!salvage) {
        chain_broken = true;  // not the next link: keep nothing from here on
        out.problem = "event at " + where + " does not continue the chain";
        return;
      }
      if (!intact || seq < archive.next_event_) {
        out.damage.push_back(where + ": an event that is damaged or out of order, left out");
        return;
      }
      if (seq > archive.next_event_)
        out.damage.push_back(where + ": events " + std::to_string(archive.next_event_) + " to " +
                             std::to_string(seq - 1) + " are lost; the chain goes on from event " +
                             std::to_string(seq) + " unproven");
      else
        out.damage.push_back(where + ": event " + std::to_string(seq) +
                             " does not follow from the hash of the event before it; kept");
      archive.next_event_ = seq;
    }
    archive.head_hash_ = sha;
    events.push_back({std::move(e), sha, offset, std::move(blobs)});
    blobs.clear();
    ++archive.next_event_;
    out.end = end;
  }
  // The events into the catalog, in one transaction; `pooled`: every
  // event may find its frames anywhere in the file (a pack groups them by kind).
  Result<Replayed> apply(std::uint32_t id, const Blobs* pooled) {
    MF_TRY(tx, sql::Transaction::begin(*archive.db_));
    for (const auto& e : events) {
      const Blobs& frames = pooled ? *pooled : e.blobs;
      if (!salvage) {
        MF_CHECK(archive.apply_event(e.event, e.hash, id, e.offset, frames));
        continue;
      }
      MF_CHECK(archive.db_->exec("SAVEPOINT salvage"));  // one event that cannot be applied leaves no half of itself
      if (auto applied = archive.apply_event(e.event, e.hash, id, e.offset, frames); !applied) {
        MF_CHECK(archive.db_->exec("ROLLBACK TO salvage"));
        out.damage.push_back(applied.error().describe() + "; left out");
      }
      MF_CHECK(archive.db_->exec("RELEASE salvage"));
    }
    MF_CHECK(tx.commit());
    MF_TRY(last, archive.db_->prepare("SELECT COALESCE(MAX(seq), 0) FROM messages"));
    MF_CHECK(last.step());
    archive.next_message_ = last.column_int(0) + 1;
    out.events = events.size();
    return std::move(out);
  }
};

Result<Archive::Replayed> Archive::replay_segment(std::uint32_t id, std::uint64_t from, bool salvage) {
  std::string path = segment_path(dir_, id);
  ChainReplay replay{*this, salvage};
  replay.out.end = from;
  std::vector<DamagedSpan> damaged;
  MF_TRY(whole, scan_frames(path, from, [&](FrameAt& f) -> Result<void> {
    if (f.header.kind != FrameKind::Event) {
      replay.frame(to_hex(f.header.sha256), {id, f.offset, delta_base(f.header, f.payload)});
      return {};
    }
    std::string where = where_of(id, f.offset);
    replay.event(where, f.offset, f.offset + kFrameHeaderSize + f.payload.size(),
                 frame_content(f.header, f.payload, nullptr, where), to_hex(f.header.sha256));
    return {};
  }, &replay.out.problem, salvage ? &damaged : nullptr));
  (void)whole;
  for (const auto& d : damaged)
    replay.out.damage.push_back(where_of(id, d.offset) + ": " + d.problem + "; " +
                                std::to_string(d.resumed - d.offset) + " bytes skipped to the next intact frame");
  return replay.apply(id, nullptr);
}

Result<Archive::Replayed> Archive::replay_pack(std::uint32_t id, std::uint32_t generation, Pack& pack) {
  ChainReplay replay{*this, true};
  Blobs pooled;
  std::vector<Pack::Damaged> damaged;
  MF_CHECK(pack.scan([&](std::uint64_t number, const PackItem& item, std::string_view content) -> Result<void> {
    std::string sha = to_hex(sha256(content));
    if (item.kind != FrameKind::Event) {
      pooled[sha] = {id, number, 0};
      return {};
    }
    replay.event(pack.where(number), number, 0, std::string(content), sha);
    return {};
  }, &damaged));
  for (const auto& d : damaged)
    replay.out.damage.push_back(pack.where(d.first) + ": block " + std::to_string(d.block) + " unreadable (" +
                                d.problem + "): items " + std::to_string(d.first) + " to " + std::to_string(d.last) +
                                " lost");
  MF_TRY(out, replay.apply(id, &pooled));
  for (const char* table : {"messages", "bodies"}) {  // a pack's items have no stored size each (the pack counts)
    MF_TRY(unsized, db_->prepare(std::string("UPDATE ") + table + " SET stored_size = 0 WHERE segment = ?1"));
    unsized.bind(1, std::int64_t{id});
    MF_CHECK(unsized.run());
  }
  MF_TRY(row, db_->prepare("INSERT OR REPLACE INTO packs(id, generation, size) VALUES (?1, ?2, ?3)"));
  row.bind(1, std::int64_t{id}).bind(2, std::int64_t{generation}).bind(3, static_cast<std::int64_t>(pack.file_size()));
  MF_CHECK(row.run());
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
  auto packs = pack_files(dir);
  auto stored = [&](std::uint32_t id) { return fs::exists(segment_path(dir, id), ec) || packs.count(id); };
  if (!stored(1)) return make_error(Errc::NotFound, "no segments to rebuild from", dir);
  std::unique_ptr<Archive> a(new Archive());
  a->dir_ = dir;
  MF_TRY(opened, sql::Database::open(db));
  a->db_ = std::make_unique<sql::Database>(std::move(opened));
  MF_CHECK(a->db_->exec(kSchema));
  std::uint32_t id = 1;
  Replayed last;
  bool packed = false, last_was_pack = false;
  for (; stored(id); ++id) {
    // A whole pack (its footer and table intact) holds what its segment
    // did, less what was purged: the newest generation is read.
    std::optional<std::uint32_t> generation;
    std::shared_ptr<Pack> pack;
    std::vector<std::string> unreadable;  // an unfinished seal's pack, when a whole one or the segment is there
    if (auto p = packs.find(id); p != packs.end()) {
      for (auto g = p->second.rbegin(); g != p->second.rend() && !generation; ++g) {
        if (auto opened_pack = Pack::open(pack_path(dir, id, *g)); opened_pack) generation = *g, pack = *opened_pack;
        else unreadable.push_back(opened_pack.error().describe() + "; not read");
      }
    }
    bool found = generation || fs::exists(segment_path(dir, id), ec);
    (found ? notes : out.damage).insert((found ? notes : out.damage).end(), unreadable.begin(), unreadable.end());
    bool last_segment = !stored(id + 1);
    std::string name = generation ? pack_path(dir, id, *generation) : segment_path(dir, id);
    Result<Replayed> replayed = generation ? a->replay_pack(id, *generation, *pack)
                                : fs::exists(segment_path(dir, id), ec) ? a->replay_segment(id, 0, true)
                                                                        : Result<Replayed>(Replayed{});
    MF_CHECK(replayed);
    packed = packed || generation;
    notes.push_back(name + ": " + std::to_string(replayed->events) + " events");
    out.damage.insert(out.damage.end(), replayed->damage.begin(), replayed->damage.end());
    // A torn end of the last segment is what a crash leaves; of another, damage.
    if (!replayed->problem.empty())
      (last_segment ? notes : out.damage).push_back(name + " ends in " + replayed->problem);
    last = std::move(*replayed);
    last_was_pack = generation.has_value();
  }
  MF_TRY(tx, sql::Transaction::begin(*a->db_));
  // A pack is never the active segment: a new one follows it.
  MF_CHECK(set_meta(*a->db_, "active_segment", std::to_string(last_was_pack ? id : id - 1)));
  MF_CHECK(set_meta(*a->db_, "committed_size", std::to_string(last_was_pack ? 0 : last.end)));
  if (packed) MF_CHECK(set_meta(*a->db_, "format", "3"));
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

Result<void> Archive::roll_segment_if_full(bool force) {
  if (segment_->size() < kSegmentLimit && !(force && segment_->size() > 0)) return {};
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

Result<void> Archive::audit(const std::string& command, std::string_view details_json) {
  json details = details_json.empty() ? json::object() : json::parse(details_json, nullptr, false);
  if (details.is_null()) details = json::object();  // no details
  if (!details.is_object()) return make_error(Errc::Usage, "audit details are not a JSON object", command);
  details["user"] = actor_;
  details["command"] = command;
  return record("audit", std::move(details));
}


Result<Archive::Checkpoint> Archive::checkpoint() {
  std::optional<WriteScope> writing;  // the head taken is the head the checkpoint event follows
  if (!read_only_) {
    MF_TRY(scope, begin_write());
    writing.emplace(std::move(scope));
    if (!segment_) return make_error(Errc::Corrupt, "archive damaged: " + damage_, dir_);
  }
  std::error_code ec;
  Checkpoint head{fs::absolute(dir_, ec).string(), next_event_ - 1, head_hash_, next_message_ - 1,
                  static_cast<std::int64_t>(std::time(nullptr))};
  MF_TRY(tree, message_tree(head.messages));
  head.messages_root = to_hex(tree.root());
  head.tree = std::make_shared<const MerkleTree>(std::move(tree));
  if (read_only_) return head;  // as the catalog has it; no event can record that it was taken
  MF_CHECK(record("checkpoint", {{"of_event", head.event}, {"hash", head.hash}, {"messages", head.messages},
                                 {"messages_root", head.messages_root}}));
  return head;
}

Result<std::optional<std::string>> Archive::event_hash(std::int64_t seq) {
  MF_TRY(q, db_->prepare("SELECT hash FROM events WHERE seq = ?1"));
  q.bind(1, seq);
  MF_TRY(row, q.step());
  if (!row) return std::optional<std::string>{};
  return std::optional<std::string>{q.column_text(0)};
}


}  // namespace mf::archive
