#include "archive/archive.h"

#include "core/atomic_file.h"
#include "core/crash_point.h"

#include <zdict.h>
#include <zstd.h>

#include <pwd.h>
#include <unistd.h>

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
INSERT OR IGNORE INTO meta(key, value) VALUES ('format', '1'), ('active_segment', '1'), ('committed_size', '0');
CREATE TABLE IF NOT EXISTS events(
  seq INTEGER PRIMARY KEY, type TEXT NOT NULL, time INTEGER NOT NULL, json TEXT NOT NULL, hash TEXT NOT NULL,
  segment INTEGER NOT NULL, offset INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS messages(
  seq INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, raw_size INTEGER NOT NULL, stored_size INTEGER NOT NULL,
  segment INTEGER NOT NULL, offset INTEGER NOT NULL, parsed INTEGER NOT NULL, message_id TEXT, subject TEXT,
  event INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS messages_by_message_id ON messages(message_id);
CREATE TABLE IF NOT EXISTS dictionaries(
  id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, segment INTEGER NOT NULL, offset INTEGER NOT NULL, event INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS placements(
  id INTEGER PRIMARY KEY, message INTEGER NOT NULL REFERENCES messages(seq), account TEXT NOT NULL,
  folder TEXT NOT NULL, flags TEXT NOT NULL, internaldate INTEGER NOT NULL, source TEXT NOT NULL,
  copy INTEGER NOT NULL, event INTEGER NOT NULL, UNIQUE(account, folder, message, copy));
)";

std::string header_value(std::string_view raw, std::string_view name) {
  std::size_t pos = 0;
  while (pos < raw.size()) {
    auto eol = raw.find('\n', pos);
    std::string_view line = raw.substr(pos, eol == std::string_view::npos ? raw.npos : eol - pos);
    pos = eol == std::string_view::npos ? raw.size() : eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;
    if (line.size() > name.size() && line[name.size()] == ':' &&
        strncasecmp(line.data(), name.data(), name.size()) == 0) {
      std::string_view v = line.substr(name.size() + 1);
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
      return std::string(v.substr(0, 200));
    }
  }
  return {};
}

// A header section of "Name: value" lines ended by an empty line (RFC 5322
// §2.1); anything else is archived all the same, marked as not parsed.
bool parses(std::string_view raw) {
  std::size_t pos = 0, fields = 0;
  while (pos < raw.size()) {
    auto eol = raw.find('\n', pos);
    if (eol == std::string_view::npos) return false;
    std::string_view line = raw.substr(pos, eol - pos);
    pos = eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) return fields > 0;
    if (line[0] == ' ' || line[0] == '\t') {
      if (fields == 0) return false;
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    for (char c : line.substr(0, colon))
      if (c <= 32 || c >= 127) return false;
    ++fields;
  }
  return false;
}

// A message frame's bytes; `dictionary` is the zstd dictionary its header
// names (null for none).
Result<std::string> decompress(const FrameAt& frame, const std::string* dictionary, const std::string& where) {
  if (frame.header.dictionary != 0 && !dictionary)
    return make_error(Errc::Corrupt, "dictionary " + std::to_string(frame.header.dictionary) + " not found", where);
  std::string out(frame.header.content_size, '\0');
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx(ZSTD_createDCtx(), &ZSTD_freeDCtx);
  std::size_t n = ZSTD_decompress_usingDict(ctx.get(), out.data(), out.size(), frame.payload.data(),
                                            frame.payload.size(), dictionary ? dictionary->data() : nullptr,
                                            dictionary ? dictionary->size() : 0);
  if (ZSTD_isError(n) || n != out.size())
    return make_error(Errc::Corrupt,
                      std::string("cannot decompress: ") + (ZSTD_isError(n) ? ZSTD_getErrorName(n) : "wrong size"),
                      where);
  return out;
}

Result<std::string> meta(sql::Database& db, const std::string& key) {
  MF_TRY(q, db.prepare("SELECT value FROM meta WHERE key = ?1"));
  q.bind(1, key);
  MF_TRY(row, q.step());
  if (!row) return make_error(Errc::Corrupt, "archive.db lacks meta " + key);
  return q.column_text(0);
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

}  // namespace

std::string_view outcome_name(IngestOutcome o) {
  switch (o) {
    case IngestOutcome::Archived: return "archived";
    case IngestOutcome::Deduplicated: return "deduplicated";
    case IngestOutcome::AlreadyPresent: return "already-present";
    case IngestOutcome::Rejected: return "rejected";
  }
  return "?";
}

// Frames written for one batch, applied to the catalog once they are durable.
struct Archive::Batch {
  struct Event {
    std::string text;
    std::string hash;
    std::uint64_t offset = 0;
  };
  std::vector<Event> events;
  std::map<std::string, std::pair<std::uint32_t, std::uint64_t>> blobs;  // sha256 -> where
};

Archive::~Archive() = default;

Result<std::unique_ptr<Archive>> Archive::open(const std::string& dir, bool create, std::vector<std::string>* notes) {
  std::error_code ec;
  if (!fs::exists(dir + "/archive.db", ec)) {
    if (!create) return make_error(Errc::NotFound, "no archive here (archive.db missing)", dir);
    fs::create_directories(dir + "/segments", ec);
    if (ec) return make_error(Errc::Io, "cannot create the archive: " + ec.message(), dir);
  }
  std::unique_ptr<Archive> a(new Archive());
  a->dir_ = dir;
  MF_TRY(db, sql::Database::open(dir + "/archive.db"));
  a->db_ = std::make_unique<sql::Database>(std::move(db));
  MF_CHECK(a->db_->exec(kSchema));
  MF_TRY(format, meta(*a->db_, "format"));
  if (format != "1") return make_error(Errc::Corrupt, "archive format " + format + " is not 1", dir);
  MF_CHECK(a->recover(notes));
  MF_CHECK(a->load_current_dictionary());
  return a;
}

Result<void> Archive::recover(std::vector<std::string>* notes) {
  MF_TRY(active_text, meta(*db_, "active_segment"));
  MF_TRY(committed_text, meta(*db_, "committed_size"));
  auto active = static_cast<std::uint32_t>(std::stoul(active_text));
  std::uint64_t committed = std::stoull(committed_text);
  MF_TRY(head, db_->prepare("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"));
  MF_TRY(has_head, head.step());
  next_event_ = has_head ? head.column_int(0) + 1 : 1;
  head_hash_ = has_head ? head.column_text(1) : std::string();
  MF_TRY(last_message, db_->prepare("SELECT COALESCE(MAX(seq), 0) FROM messages"));
  MF_CHECK(last_message.step());
  next_message_ = last_message.column_int(0) + 1;

  // Frames past the committed size were written but never acknowledged.
  std::string path = segment_path(dir_, active);
  std::uint64_t end = committed;
  std::error_code ec;
  if ((!fs::exists(path, ec) && committed > 0) || (fs::exists(path, ec) && fs::file_size(path, ec) < committed)) {
    // Lost or cut short: nothing is written until someone has looked (archive verify says what is missing).
    damage_ = "the active segment " + path + " is missing or shorter than the catalog says";
    if (notes) notes->push_back(damage_ + "; the archive is read-only until that is resolved");
    return {};
  }
  if (fs::exists(path, ec) && fs::file_size(path, ec) > committed) {
    MF_TRY(replayed, replay_segment(active, committed));
    end = replayed.end;
    MF_CHECK(set_meta(*db_, "committed_size", std::to_string(end)));
    if (notes) {
      if (replayed.events > 0)
        notes->push_back("recovered " + std::to_string(replayed.events) + " events written before a crash in " + path);
      auto size = fs::file_size(path, ec);
      if (size > end)
        notes->push_back("cut off " + std::to_string(size - end) + " bytes at the end of " + path + " (" +
                         (replayed.problem.empty() ? std::string("frames after the last whole event") : replayed.problem) +
                         ")");
    }
  }
  MF_TRY(writer, SegmentWriter::open(dir_, active, end));
  MF_CHECK(writer.sync());
  segment_ = std::make_unique<SegmentWriter>(std::move(writer));
  return {};
}

Result<Archive::Replayed> Archive::replay_segment(std::uint32_t id, std::uint64_t from) {
  std::string path = segment_path(dir_, id);
  Batch replay;
  Replayed out;
  out.end = from;
  bool chain_broken = false;
  MF_TRY(whole, scan_frames(path, from, [&](FrameAt& f) -> Result<void> {
    if (chain_broken) return {};
    if (f.header.kind != FrameKind::Event) {
      replay.blobs[to_hex(f.header.sha256)] = {id, f.offset};  // kept only if an event follows it
      return {};
    }
    auto event = json::parse(f.payload, nullptr, false);
    if (event.is_discarded() || event.value("seq", 0ll) != next_event_ || event.value("prev", "") != head_hash_) {
      chain_broken = true;  // not the next link: keep nothing from here on
      out.problem = "event at " + where_of(id, f.offset) + " does not continue the chain";
      return {};
    }
    replay.events.push_back({f.payload, to_hex(sha256(f.payload)), f.offset});
    head_hash_ = replay.events.back().hash;
    ++next_event_;
    out.end = f.offset + kFrameHeaderSize + f.payload.size();
    return {};
  }, out.problem.empty() ? &out.problem : nullptr));
  (void)whole;
  MF_TRY(tx, sql::Transaction::begin(*db_));
  for (const auto& e : replay.events) MF_CHECK(apply_event(e.text, e.hash, id, e.offset, replay.blobs));
  MF_CHECK(tx.commit());
  MF_TRY(last, db_->prepare("SELECT COALESCE(MAX(seq), 0) FROM messages"));
  MF_CHECK(last.step());
  next_message_ = last.column_int(0) + 1;
  out.events = replay.events.size();
  return out;
}

Result<std::vector<std::string>> Archive::rebuild(const std::string& dir) {
  std::vector<std::string> notes;
  std::error_code ec;
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
    MF_TRY(replayed, a->replay_segment(id, 0));
    last = replayed;
    notes.push_back(segment_path(dir, id) + ": " + std::to_string(replayed.events) + " events");
    if (!replayed.problem.empty()) {
      notes.push_back("stopped at " + segment_path(dir, id) + ": " + replayed.problem);
      break;
    }
  }
  std::uint32_t active = fs::exists(segment_path(dir, id), ec) ? id : id - 1;
  MF_TRY(tx, sql::Transaction::begin(*a->db_));
  MF_CHECK(set_meta(*a->db_, "active_segment", std::to_string(active)));
  MF_CHECK(set_meta(*a->db_, "committed_size", std::to_string(last.end)));
  MF_CHECK(tx.commit());
  MF_TRY(stats, a->stats());
  notes.push_back("rebuilt: " + std::to_string(stats.messages) + " messages, " + std::to_string(stats.placements) +
                  " placements, " + std::to_string(stats.events) + " events");
  return notes;
}

Result<void> Archive::apply_event(const std::string& text, const std::string& hash, std::uint32_t segment,
                                  std::uint64_t offset,
                                  const std::map<std::string, std::pair<std::uint32_t, std::uint64_t>>& blobs) {
  auto e = json::parse(text, nullptr, false);
  if (e.is_discarded() || !e.is_object()) return make_error(Errc::Corrupt, "event is not JSON", where_of(segment, offset));
  MF_TRY(insert, db_->prepare("INSERT INTO events(seq, type, time, json, hash, segment, offset) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  insert.bind(1, e["seq"].get<std::int64_t>()).bind(2, e["type"].get<std::string>());
  insert.bind(3, e["time"].get<std::int64_t>()).bind(4, text).bind(5, hash);
  insert.bind(6, std::int64_t{segment}).bind(7, static_cast<std::int64_t>(offset));
  MF_CHECK(insert.run());
  std::string type = e["type"];
  if (type == "ingest") {
    auto blob = blobs.find(e["sha256"].get<std::string>());
    if (blob == blobs.end()) return make_error(Errc::Corrupt, "ingest event without its message frame", where_of(segment, offset));
    MF_TRY(m, db_->prepare("INSERT INTO messages(seq, sha256, raw_size, stored_size, segment, offset, parsed, "
                           "message_id, subject, event) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
    m.bind(1, e["message"].get<std::int64_t>()).bind(2, e["sha256"].get<std::string>());
    m.bind(3, e["size"].get<std::int64_t>()).bind(4, e["stored"].get<std::int64_t>());
    m.bind(5, std::int64_t{blob->second.first}).bind(6, static_cast<std::int64_t>(blob->second.second));
    m.bind(7, std::int64_t{e["parsed"].get<bool>()}).bind(8, e["message_id"].get<std::string>());
    m.bind(9, e["subject"].get<std::string>()).bind(10, e["seq"].get<std::int64_t>());
    MF_CHECK(m.run());
  } else if (type == "dictionary") {
    auto frame = blobs.find(e["sha256"].get<std::string>());
    if (frame == blobs.end())
      return make_error(Errc::Corrupt, "dictionary event without its dictionary frame", where_of(segment, offset));
    MF_TRY(d, db_->prepare("INSERT INTO dictionaries(id, sha256, segment, offset, event) VALUES (?1, ?2, ?3, ?4, ?5)"));
    d.bind(1, e["dictionary"].get<std::int64_t>()).bind(2, e["sha256"].get<std::string>());
    d.bind(3, std::int64_t{frame->second.first}).bind(4, static_cast<std::int64_t>(frame->second.second));
    d.bind(5, e["seq"].get<std::int64_t>());
    MF_CHECK(d.run());
  } else if (type == "place") {
    MF_TRY(p, db_->prepare("INSERT INTO placements(message, account, folder, flags, internaldate, source, copy, event) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
    p.bind(1, e["message"].get<std::int64_t>()).bind(2, e["account"].get<std::string>());
    p.bind(3, e["folder"].get<std::string>()).bind(4, event_text(e["flags"]));
    p.bind(5, e["internaldate"].get<std::int64_t>()).bind(6, e["source"].get<std::string>());
    p.bind(7, e["copy"].get<std::int64_t>()).bind(8, e["seq"].get<std::int64_t>());
    MF_CHECK(p.run());
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
  h.payload_size = h.content_size = text.size();
  h.sha256 = sha256(text);
  MF_TRY(offset, segment_->append(h, text));
  head_hash_ = to_hex(h.sha256);
  ++next_event_;
  batch.events.push_back({std::move(text), head_hash_, offset});
  return offset;
}

Result<void> Archive::commit(Batch& batch) {
  crash_point("archive-written");
  MF_CHECK(segment_->sync());  // durable before anything is acknowledged
  crash_point("archive-synced");
  MF_TRY(tx, sql::Transaction::begin(*db_));
  for (const auto& e : batch.events) MF_CHECK(apply_event(e.text, e.hash, segment_->id(), e.offset, batch.blobs));
  MF_CHECK(set_meta(*db_, "committed_size", std::to_string(segment_->size())));
  return tx.commit();
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
  if (current_dictionary_ == 0) MF_CHECK(train_dictionary(requests, batch));
  std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> cctx(ZSTD_createCCtx(), &ZSTD_freeCCtx);
  std::vector<IngestResult> results;
  std::map<std::string, std::int64_t> new_in_batch;                      // sha256 -> message number
  std::set<std::tuple<std::string, std::string, std::int64_t, std::uint32_t>> placed_in_batch;
  MF_TRY(find_message, db_->prepare("SELECT seq FROM messages WHERE sha256 = ?1"));
  MF_TRY(find_placement, db_->prepare("SELECT 1 FROM placements WHERE account = ?1 AND folder = ?2 AND message = ?3 "
                                      "AND copy = ?4"));
  for (const auto& r : requests) {
    IngestResult result;
    if (r.raw.empty()) {
      result.outcome = IngestOutcome::Rejected;
      result.reason = "empty message";
      results.push_back(result);
      continue;
    }
    auto digest = r.sha256 ? *r.sha256 : sha256(r.raw);
    std::string sha = to_hex(digest);
    std::int64_t message = 0;
    if (auto it = new_in_batch.find(sha); it != new_in_batch.end()) {
      message = it->second;
    } else {
      find_message.bind(1, sha);
      MF_TRY(found, find_message.step());
      if (found) message = find_message.column_int(0);
      find_message.reset();
    }
    const auto& p = r.placement;
    if (message == 0) {  // new: the message frame, then its ingest event
      std::string stored(ZSTD_compressBound(r.raw.size()), '\0');
      std::size_t n = cdict_ ? ZSTD_compress_usingCDict(cctx.get(), stored.data(), stored.size(), r.raw.data(),
                                                        r.raw.size(), static_cast<const ZSTD_CDict*>(cdict_.get()))
                             : ZSTD_compressCCtx(cctx.get(), stored.data(), stored.size(), r.raw.data(), r.raw.size(),
                                                 kZstdLevel);
      if (ZSTD_isError(n)) return make_error(Errc::Io, std::string("zstd: ") + ZSTD_getErrorName(n));
      stored.resize(n);
      FrameHeader h;
      h.kind = FrameKind::Message;
      h.dictionary = current_dictionary_;
      h.payload_size = stored.size();
      h.content_size = r.raw.size();
      h.sha256 = digest;
      MF_TRY(offset, segment_->append(h, stored));
      batch.blobs[sha] = {segment_->id(), offset};
      message = next_message_++;
      new_in_batch[sha] = message;
      MF_CHECK(append_event(batch, json{{"type", "ingest"},
                                        {"message", message},
                                        {"sha256", sha},
                                        {"size", r.raw.size()},
                                        {"stored", stored.size()},
                                        {"parsed", parses(r.raw)},
                                        {"message_id", header_value(r.raw, "Message-ID")},
                                        {"subject", header_value(r.raw, "Subject")}}));
      result.outcome = IngestOutcome::Archived;
    } else {
      find_placement.bind(1, p.account).bind(2, p.folder).bind(3, message).bind(4, std::int64_t{p.copy});
      MF_TRY(placed, find_placement.step());
      find_placement.reset();
      placed = placed || placed_in_batch.count({p.account, p.folder, message, p.copy});
      result.outcome = placed ? IngestOutcome::AlreadyPresent : IngestOutcome::Deduplicated;
    }
    result.message = message;
    if (result.outcome != IngestOutcome::AlreadyPresent) {
      placed_in_batch.insert({p.account, p.folder, message, p.copy});
      MF_CHECK(append_event(batch, json{{"type", "place"},
                                        {"message", message},
                                        {"account", p.account},
                                        {"folder", p.folder},
                                        {"flags", p.flags},
                                        {"internaldate", p.internaldate},
                                        {"source", p.source},
                                        {"copy", p.copy}}));
    }
    results.push_back(std::move(result));
  }
  if (!batch.events.empty()) MF_CHECK(commit(batch));
  return results;
}

// Small messages compress far better with a dictionary of what mail looks
// like (headers, MIME boilerplate): trained once, from the first batch
// large enough, and kept in the segments like everything else.
Result<void> Archive::train_dictionary(const std::vector<IngestRequest>& batch, Batch& frames) {
  // Samples of at most 16 KB each: one odd giant message (a 20,000-byte line
  // of one letter) must not make the dictionary. A result under 16 KB means
  // the samples were poor: they are dropped and fresh ones gathered.
  constexpr std::size_t kMinSamples = 64, kDictionarySize = 112 << 10, kSampleLimit = 16 << 10,
                        kUsefulSize = 16 << 10;
  // Samples gather over batches (small folders make small batches).
  for (const auto& r : batch) {
    if (samples_.size() >= 8 * kDictionarySize) break;
    auto sample = r.raw.substr(0, kSampleLimit);
    samples_.append(sample);
    sample_sizes_.push_back(sample.size());
  }
  if (sample_sizes_.size() < kMinSamples || samples_.size() < 4 * kDictionarySize) return {};
  std::string dict(kDictionarySize, '\0');
  std::size_t n = ZDICT_trainFromBuffer(dict.data(), dict.size(), samples_.data(), sample_sizes_.data(),
                                        static_cast<unsigned>(sample_sizes_.size()));
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
  dictionaries_[id] = std::move(dict);
  current_dictionary_ = id;
  cdict_ = std::move(cdict);
  return {};
}

Result<const std::string*> Archive::dictionary(std::uint16_t id) {
  if (id == 0) return static_cast<const std::string*>(nullptr);
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
  return &(dictionaries_[id] = std::move(frame.payload));
}

Result<void> Archive::load_current_dictionary() {
  MF_TRY(q, db_->prepare("SELECT COALESCE(MAX(id), 0) FROM dictionaries"));
  MF_CHECK(q.step());
  auto id = static_cast<std::uint16_t>(q.column_int(0));
  if (id == 0) return {};
  MF_TRY(dict, dictionary(id));
  cdict_ = std::shared_ptr<void>(ZSTD_createCDict(dict->data(), dict->size(), kZstdLevel),
                                 [](void* p) { ZSTD_freeCDict(static_cast<ZSTD_CDict*>(p)); });
  if (!cdict_) return make_error(Errc::Io, "zstd could not load dictionary " + std::to_string(id), dir_);
  current_dictionary_ = id;
  return {};
}

Result<void> Archive::record(const std::string& type, json data) {
  if (!segment_) return make_error(Errc::Corrupt, "archive damaged, nothing written: " + damage_, dir_);
  data["type"] = type;
  auto size = segment_->size();
  auto head = head_hash_;
  auto next_event = next_event_;
  Batch batch;
  auto appended = append_event(batch, std::move(data));
  Result<void> done = appended ? commit(batch) : Result<void>(appended.error());
  if (!done) {
    (void)segment_->truncate(size);
    head_hash_ = head;
    next_event_ = next_event;
  }
  return done;
}

Result<void> Archive::audit(const std::string& command, json details) {
  const passwd* pw = ::getpwuid(::geteuid());
  details["user"] = pw ? std::string(pw->pw_name) : "uid " + std::to_string(::geteuid());
  details["command"] = command;
  return record("audit", std::move(details));
}

Result<std::string> Archive::get(std::int64_t message) {
  MF_TRY(q, db_->prepare("SELECT sha256, segment, offset FROM messages WHERE seq = ?1"));
  q.bind(1, message);
  MF_TRY(row, q.step());
  if (!row) return make_error(Errc::NotFound, "no message " + std::to_string(message) + " in the archive", dir_);
  std::string sha = q.column_text(0);
  auto segment = static_cast<std::uint32_t>(q.column_int(1));
  auto offset = static_cast<std::uint64_t>(q.column_int(2));
  MF_TRY(frame, read_frame(segment_path(dir_, segment), offset));
  MF_TRY(dict, dictionary(frame.header.dictionary));
  MF_TRY(raw, decompress(frame, dict, where_of(segment, offset)));
  std::string actual = to_hex(sha256(raw));
  if (actual != sha || to_hex(frame.header.sha256) != sha)
    return make_error(Errc::Corrupt, "message " + std::to_string(message) + " does not match its hash (stored " + sha +
                                         ", read " + actual + ")", where_of(segment, offset));
  return raw;
}

Result<std::optional<std::int64_t>> Archive::find_by_message_id(const std::string& message_id) {
  MF_TRY(q, db_->prepare("SELECT seq FROM messages WHERE message_id = ?1 ORDER BY seq LIMIT 1"));
  q.bind(1, message_id);
  MF_TRY(row, q.step());
  if (!row) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{q.column_int(0)};
}

Result<bool> Archive::has_placement(const std::string& sha256, const Placement& p) {
  MF_TRY(q, db_->prepare("SELECT 1 FROM placements pl JOIN messages m ON m.seq = pl.message WHERE m.sha256 = ?1 AND "
                         "pl.account = ?2 AND pl.folder = ?3 AND pl.copy = ?4"));
  q.bind(1, sha256).bind(2, p.account).bind(3, p.folder).bind(4, std::int64_t{p.copy});
  return q.step();
}

Result<std::vector<std::string>> Archive::events(const std::string& type, std::int64_t since) {
  MF_TRY(q, db_->prepare("SELECT json FROM events WHERE (?1 = '' OR type = ?1) AND time >= ?2 ORDER BY seq"));
  q.bind(1, type).bind(2, since);
  std::vector<std::string> out;
  for (;;) {
    MF_TRY(row, q.step());
    if (!row) break;
    out.push_back(q.column_text(0));
  }
  return out;
}

Result<json> Archive::checkpoint() {
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
                         "COALESCE(SUM(parsed = 0), 0) FROM messages"));
  MF_CHECK(m.step());
  s.messages = m.column_int(0);
  s.raw_bytes = m.column_int(1);
  s.stored_bytes = m.column_int(2);
  s.unparsed = m.column_int(3);
  MF_TRY(p, db_->prepare("SELECT COUNT(*), COALESCE(SUM(m.raw_size), 0) FROM placements p JOIN messages m ON "
                         "m.seq = p.message"));
  MF_CHECK(p.step());
  s.placements = p.column_int(0);
  s.placed_bytes = p.column_int(1);
  MF_TRY(e, db_->prepare("SELECT COUNT(*), COUNT(DISTINCT segment) FROM events"));
  MF_CHECK(e.step());
  s.events = e.column_int(0);
  s.segments = e.column_int(1);
  MF_TRY(a, db_->prepare("SELECT p.account, COUNT(*), SUM(m.raw_size) FROM placements p JOIN messages m ON "
                         "m.seq = p.message GROUP BY p.account ORDER BY p.account"));
  for (;;) {
    MF_TRY(row, a.step());
    if (!row) break;
    s.accounts.push_back({a.column_text(0), {static_cast<std::uint64_t>(a.column_int(1)),
                                             static_cast<std::uint64_t>(a.column_int(2))}});
  }
  return s;
}

Result<std::vector<Fault>> Archive::verify() {
  std::vector<Fault> faults;
  auto fault = [&](std::string kind, std::string where, std::string what) {
    faults.push_back(Fault{std::move(kind), std::move(where), std::move(what)});
  };
  // 1. Every frame of every segment: header, hash of the content.
  struct Seen {
    FrameKind kind;
    std::string sha;
    std::string json;  // events
  };
  std::map<std::pair<std::uint32_t, std::uint64_t>, Seen> frames;
  std::map<std::uint16_t, std::string> segment_dictionaries;  // as found in the segments, not the catalog
  MF_TRY(active_text, meta(*db_, "active_segment"));
  auto active = static_cast<std::uint32_t>(std::stoul(active_text));
  MF_TRY(committed_text, meta(*db_, "committed_size"));
  for (std::uint32_t id = 1; id <= active; ++id) {
    std::string path = segment_path(dir_, id);
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      fault("segment", path, "segment file missing");
      continue;
    }
    std::string problem;
    MF_TRY(end, scan_frames(path, 0, [&](FrameAt& f) -> Result<void> {
      std::string where = where_of(id, f.offset);
      std::string sha = to_hex(f.header.sha256);
      if (f.header.kind == FrameKind::Message) {
        auto dict = segment_dictionaries.find(f.header.dictionary);
        auto raw = decompress(f, dict == segment_dictionaries.end() ? nullptr : &dict->second, where);
        if (!raw)
          fault("frame", where, raw.error().message);
        else if (to_hex(sha256(*raw)) != sha)
          fault("frame", where, "message bytes do not match the frame's SHA-256 " + sha);
        frames[{id, f.offset}] = Seen{f.header.kind, sha, {}};
      } else {
        if (to_hex(sha256(f.payload)) != sha)
          fault("frame", where, std::string(f.header.kind == FrameKind::Event ? "event" : "dictionary") +
                                    " bytes do not match the frame's SHA-256");
        if (f.header.kind == FrameKind::Dictionary) segment_dictionaries[f.header.dictionary] = f.payload;
        frames[{id, f.offset}] = Seen{f.header.kind, sha, f.header.kind == FrameKind::Event ? f.payload : ""};
      }
      return {};
    }, &problem));
    std::uint64_t expected_end = id == active ? std::stoull(committed_text) : fs::file_size(path, ec);
    if (!problem.empty()) fault("frame", where_of(id, end), problem + "; frames after it cannot be read");
    else if (end != expected_end)
      fault("segment", path, "holds " + std::to_string(end) + " bytes of frames, the catalog expects " +
                                 std::to_string(expected_end));
  }
  // 2. The catalog against the frames.
  std::set<std::pair<std::uint32_t, std::uint64_t>> referenced;
  MF_TRY(m, db_->prepare("SELECT seq, sha256, segment, offset FROM messages ORDER BY seq"));
  std::int64_t expected_message = 1;
  for (;;) {
    MF_TRY(row, m.step());
    if (!row) break;
    std::int64_t seq = m.column_int(0);
    std::pair<std::uint32_t, std::uint64_t> at{static_cast<std::uint32_t>(m.column_int(2)),
                                               static_cast<std::uint64_t>(m.column_int(3))};
    referenced.insert(at);
    if (seq != expected_message)
      fault("catalog", "message " + std::to_string(expected_message),
            "message numbers have a gap: next in the catalog is " + std::to_string(seq));
    expected_message = seq + 1;
    auto f = frames.find(at);
    if (f == frames.end() || f->second.kind != FrameKind::Message)
      fault("catalog", "message " + std::to_string(seq), "no message frame at " + where_of(at.first, at.second));
    else if (f->second.sha != m.column_text(1))
      fault("catalog", "message " + std::to_string(seq),
            "catalog says SHA-256 " + m.column_text(1) + ", the frame holds " + f->second.sha);
  }
  // 3. The chain, from the segments (the truth), and the catalog's copy of it.
  std::map<std::int64_t, std::pair<std::string, std::string>> catalog_events;  // seq -> json, hash
  MF_TRY(ev, db_->prepare("SELECT seq, json, hash, segment, offset FROM events ORDER BY seq"));
  for (;;) {
    MF_TRY(row, ev.step());
    if (!row) break;
    catalog_events[ev.column_int(0)] = {ev.column_text(1), ev.column_text(2)};
    referenced.insert({static_cast<std::uint32_t>(ev.column_int(3)), static_cast<std::uint64_t>(ev.column_int(4))});
  }
  MF_TRY(dicts, db_->prepare("SELECT id, sha256, segment, offset FROM dictionaries"));
  for (;;) {
    MF_TRY(row, dicts.step());
    if (!row) break;
    std::pair<std::uint32_t, std::uint64_t> at{static_cast<std::uint32_t>(dicts.column_int(2)),
                                               static_cast<std::uint64_t>(dicts.column_int(3))};
    referenced.insert(at);
    auto f = frames.find(at);
    if (f == frames.end() || f->second.kind != FrameKind::Dictionary || f->second.sha != dicts.column_text(1))
      fault("catalog", "dictionary " + std::to_string(dicts.column_int(0)),
            "no dictionary frame with its SHA-256 at " + where_of(at.first, at.second));
  }
  std::string prev;
  std::int64_t expected_event = 1;
  for (const auto& [at, seen] : frames) {
    if (seen.kind != FrameKind::Event) continue;
    std::string where = where_of(at.first, at.second);
    auto event = json::parse(seen.json, nullptr, false);
    if (event.is_discarded()) {
      fault("chain", where, "event is not JSON");
      continue;
    }
    std::int64_t seq = event.value("seq", 0ll);
    if (seq != expected_event)
      fault("chain", where, "event " + std::to_string(seq) + " where event " + std::to_string(expected_event) +
                                " should follow (missing or reordered)");
    if (event.value("prev", "") != prev)
      fault("chain", where, "event " + std::to_string(seq) + " does not follow from the hash of the event before it");
    prev = seen.sha;
    expected_event = seq + 1;
    auto c = catalog_events.find(seq);
    if (c == catalog_events.end())
      fault("catalog", "event " + std::to_string(seq), "in the segments, not in the catalog");
    else if (c->second.first != seen.json || c->second.second != seen.sha)
      fault("catalog", "event " + std::to_string(seq), "the catalog's copy differs from the segment's");
    if (c != catalog_events.end()) catalog_events.erase(c);
  }
  for (const auto& [seq, e] : catalog_events)
    fault("catalog", "event " + std::to_string(seq), "in the catalog, in no segment");
  for (const auto& [at, seen] : frames)
    if (!referenced.count(at))
      fault("catalog", where_of(at.first, at.second),
            std::string(seen.kind == FrameKind::Message ? "message" : seen.kind == FrameKind::Event ? "event" : "dictionary") +
                " frame the catalog does not list");
  return faults;
}

}  // namespace mf::archive
