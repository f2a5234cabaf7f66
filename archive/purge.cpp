// Purge: tombstones for what retention lets go and no hold keeps, then
// the segments rewritten without it, from the last to the first
// (docs/archive.md).
#include "archive/archive.h"

#include "archive/detail/batch.h"
#include "archive/detail/catalog.h"
#include "archive/detail/message_view.h"
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

namespace {

constexpr std::size_t kTombstonesPerEvent = 5000;

}  // namespace

Result<Archive::PurgePlan> Archive::purge(bool dry_run) {
  MF_TRY(writing, begin_write());
  if (!segment_) return make_error(Errc::Corrupt, "archive damaged, nothing purged: " + damage_, dir_);
  PurgePlan plan;
  auto now = static_cast<std::int64_t>(std::time(nullptr));
  MF_TRY(holds, active_holds());
  std::vector<json> tombstones;
  MF_CHECK(each_message("m.purged IS NULL AND m.retain_until <= ?1", now, [&](MessageView& m) -> Result<void> {
    ++plan.expired;
    MF_TRY(is_held, held(m, holds));
    if (is_held) {
      ++plan.held;
      return {};
    }
    ++plan.messages;
    plan.bytes += static_cast<std::uint64_t>(m.size);
    tombstones.push_back({{"message", m.seq}, {"sha256", m.sha256}, {"size", m.size}, {"retain_until", m.retain_until}});
    return {};
  }));
  if (dry_run) return plan;
  // The tombstones first, durably: from then on the messages are gone, and
  // an interrupted compaction is finished by the next purge.
  std::vector<json> events;
  for (std::size_t i = 0; i < tombstones.size(); i += kTombstonesPerEvent) {
    json chunk = json::array();
    for (std::size_t j = i; j < std::min(tombstones.size(), i + kTombstonesPerEvent); ++j) chunk.push_back(tombstones[j]);
    events.push_back({{"type", "purge"}, {"messages", std::move(chunk)}, {"user", actor_}});
  }
  if (!events.empty()) MF_CHECK(record_all(std::move(events)));
  crash_point("purge-recorded");
  // From the last segment back: a delta's base is in its segment or an
  // earlier one, so every delta on a purged head is whole again before
  // that head's segment is compacted, even across a crash.
  MF_TRY(q, db_->prepare(std::string("SELECT segment FROM messages WHERE purged IS NOT NULL AND segment != 0 UNION "
                                     "SELECT segment FROM bodies b WHERE ") + kDeadBody +
                         " UNION SELECT segment FROM messages m WHERE " + kOrphanedDelta + " ORDER BY 1 DESC"));
  std::vector<std::uint32_t> segments;
  MF_CHECK(q.each([&](auto&) {
    segments.push_back(static_cast<std::uint32_t>(q.column_int(0)));
  }));
  q.reset();
  for (auto id : segments) {
    MF_TRY(pack, pack_of(id));
    if (pack) {  // a pack never changes: its next generation is written without them
      MF_TRY(sealed, seal_into_pack(id, kPackLevel));
      plan.stored_bytes_freed += sealed.bytes_before > sealed.bytes_after ? sealed.bytes_before - sealed.bytes_after : 0;
    } else {
      MF_TRY(freed, compact(id));
      plan.stored_bytes_freed += freed;
    }
    ++plan.segments_compacted;
  }
  return plan;
}

// Copies the segment without its purged message frames, then switches the
// catalog to the copy and the copy into place. The catalog commit marks
// the switch (meta "compacting"), so a crash between it and the rename is
// finished on the next open, and a crash before it leaves the old segment.
Result<std::set<std::uint64_t>> Archive::purged_frames(std::uint32_t id) {
  std::set<std::uint64_t> drop;
  {
    MF_TRY(q, db_->prepare(std::string("SELECT offset FROM messages WHERE segment = ?1 AND purged IS NOT NULL UNION "
                                       "SELECT offset FROM bodies b WHERE b.segment = ?1 AND ") + kDeadBody));
    q.bind(1, std::int64_t{id});
    MF_CHECK(q.each([&](auto&) {
      drop.insert(static_cast<std::uint64_t>(q.column_int(0)));
    }));
  }
  {  // A head frame two messages of one batch share (same head, other body) stays while one of them does.
    MF_TRY(q, db_->prepare("SELECT offset FROM messages WHERE segment = ?1 AND purged IS NULL"));
    q.bind(1, std::int64_t{id});
    MF_CHECK(q.each([&](auto&) {
      drop.erase(static_cast<std::uint64_t>(q.column_int(0)));
    }));
  }
  return drop;
}

Result<void> Archive::unplace_purged(std::uint32_t id) {
  MF_TRY(gone, db_->prepare("UPDATE messages SET segment = 0, offset = 0 WHERE segment = ?1 AND purged IS NOT NULL"));
  gone.bind(1, std::int64_t{id});
  MF_CHECK(gone.run());
  MF_TRY(dead, db_->prepare(std::string("UPDATE bodies AS b SET segment = 0, offset = 0 WHERE b.segment = ?1 AND ") +
                            kDeadBody));
  dead.bind(1, std::int64_t{id});
  return dead.run();
}

Result<std::uint64_t> Archive::compact(std::uint32_t id) {
  MF_TRY(drop, purged_frames(id));
  std::map<std::uint64_t, std::string> rewhole;  // offset -> the whole head of a delta whose base goes
  {
    MF_TRY(q, db_->prepare(std::string("SELECT m.offset FROM messages m WHERE m.segment = ?1 AND ") +
                           kOrphanedDelta));
    q.bind(1, std::int64_t{id});
    MF_CHECK(q.each([&](auto&) -> Result<void> {
      auto offset = static_cast<std::uint64_t>(q.column_int(0));
      MF_TRY(head, read_content(FrameKind::Message, id, offset, ""));
      rewhole[offset] = std::move(head);
      return {};
    }));
  }
  std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> cctx(ZSTD_createCCtx(), &ZSTD_freeCCtx);
  bool active = id == segment_->id();
  std::string path = segment_path(dir_, id), copy = path + ".compact";
  MF_TRY(out, SegmentWriter::open_file(copy, id, 0));
  std::vector<std::pair<std::uint64_t, std::uint64_t>> moved;  // old offset -> new, ascending
  std::vector<std::pair<std::uint64_t, std::uint64_t>> whole_sizes;  // old offset -> the whole head's stored size
  std::uint64_t freed = 0;
  std::string problem;
  MF_TRY(end, scan_frames(path, 0, [&](FrameAt& f) -> Result<void> {
    if (drop.count(f.offset)) {
      freed += kFrameHeaderSize + f.payload.size();
      return {};
    }
    if (auto whole = rewhole.find(f.offset); whole != rewhole.end()) {
      if (sha256(whole->second) != f.header.sha256)
        return make_error(Errc::Corrupt, "a delta head does not match its SHA-256", where_of(id, f.offset));
      MF_TRY(header, compress_frame(FrameKind::Message, whole->second, f.header.sha256, *cctx));
      MF_TRY(at, out.append(header, std::string_view(compress_buffer_.data(), header.payload_size)));
      moved.emplace_back(f.offset, at);
      whole_sizes.emplace_back(f.offset, header.payload_size);
      return {};
    }
    MF_TRY(at, out.append(f.header, f.payload));
    moved.emplace_back(f.offset, at);
    return {};
  }, &problem));
  if (!problem.empty() || (active && end != segment_->size()))
    return make_error(Errc::Corrupt, "cannot compact: " + (problem.empty() ? "frames past the committed end" : problem),
                      where_of(id, end));
  MF_CHECK(active ? out.sync() : out.seal());
  // No reader between the catalog's new offsets and the file they are offsets in.
  MF_TRY(no_readers, lock_out_readers());
  {
    MF_TRY(tx, sql::Transaction::begin(*db_));
    MF_CHECK(unplace_purged(id));
    MF_TRY(resize, db_->prepare("UPDATE messages SET stored_size = ?3 WHERE segment = ?1 AND offset = ?2"));
    for (const auto& [offset, size] : whole_sizes) {
      resize.bind(1, std::int64_t{id}).bind(2, static_cast<std::int64_t>(offset)).bind(3, static_cast<std::int64_t>(size));
      MF_CHECK(resize.run());
      resize.reset();
    }
    MF_TRY(whole, db_->prepare(std::string("UPDATE messages AS m SET base = 0 WHERE m.segment = ?1 AND ") +
                               kOrphanedDelta));
    whole.bind(1, std::int64_t{id});
    MF_CHECK(whole.run());
    for (const char* table : {"messages", "bodies", "events", "dictionaries"}) {
      MF_TRY(move, db_->prepare(std::string("UPDATE ") + table + " SET offset = ?3 WHERE segment = ?1 AND offset = ?2"));
      for (const auto& [from, to] : moved) {
        if (from == to) continue;
        move.bind(1, std::int64_t{id}).bind(2, static_cast<std::int64_t>(from)).bind(3, static_cast<std::int64_t>(to));
        MF_CHECK(move.run());
        move.reset();
      }
    }
    MF_CHECK(set_meta(*db_, "compacting", std::to_string(id)));
    if (active) MF_CHECK(set_meta(*db_, "committed_size", std::to_string(out.size())));
    MF_CHECK(tx.commit());
  }
  crash_point("compaction-committed");
  if (active) segment_.reset();  // its descriptor is of the file being replaced
  auto replaced = replace_file(copy, path);
  if (active) {
    auto writer = replaced ? SegmentWriter::open(dir_, id, out.size()) : Result<SegmentWriter>(replaced.error());
    if (!writer) {  // the next open finishes the switch; nothing is written until then
      damage_ = "compaction of " + path + " unfinished: " + writer.error().describe();
      return writer.error();
    }
    segment_ = std::make_unique<SegmentWriter>(std::move(*writer));
  }
  MF_CHECK(replaced);
  MF_TRY(done, db_->prepare("DELETE FROM meta WHERE key = 'compacting'"));
  MF_CHECK(done.run());
  return freed;
}

Result<void> Archive::finish_compaction() {
  MF_TRY(q, db_->prepare("SELECT value FROM meta WHERE key = 'compacting'"));
  MF_TRY(row, q.step());
  std::string finishing;
  if (row) {
    auto id = meta_number(q.column_text(0));
    if (!id || *id == 0 || *id > UINT32_MAX)
      return make_error(Errc::Corrupt, "the catalog's meta compacting is \"" + q.column_text(0) + "\", not a segment number",
                        dir_ + "/archive.db");
    finishing = segment_path(dir_, static_cast<std::uint32_t>(*id));
  }
  q.reset();
  std::optional<FileLock> no_readers;
  if (!finishing.empty() && fs::exists(finishing + ".compact")) {
    MF_TRY(lock, lock_out_readers());
    no_readers.emplace(std::move(lock));
    MF_CHECK(replace_file(finishing + ".compact", finishing));
  }
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_ + "/segments", ec))  // copies no catalog refers to
    if (entry.path().extension() == ".compact") fs::remove(entry.path(), ec);
  if (row) {
    MF_TRY(done, db_->prepare("DELETE FROM meta WHERE key = 'compacting'"));
    MF_CHECK(done.run());
  }
  return {};
}

}  // namespace mf::archive
