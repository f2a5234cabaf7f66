// Sealing: a full segment rewritten as a pack (archive/pack.h), written
// and fsynced beside it, switched in the catalog in one transaction, then
// the segment removed. A crash leaves the segment, or the pack, or both
// with the catalog naming one of them (finish_sealing tidies up).
#include "archive/archive.h"

#include "archive/detail/batch.h"
#include "archive/detail/catalog.h"
#include "core/crash_point.h"

#include <filesystem>
#include <set>

namespace mf::archive {

using namespace detail;
namespace fs = std::filesystem;

Result<Archive::Sealed> Archive::seal(bool active, int level) {
  MF_TRY(writing, begin_write());
  if (!segment_) return make_error(Errc::Corrupt, "archive damaged, nothing sealed: " + damage_, dir_);
  if (active) {  // one that holds only events (the audit of reads) waits: packs of a few events would pile up
    MF_TRY(q, db_->prepare("SELECT 1 FROM messages WHERE segment = ?1 UNION ALL SELECT 1 FROM bodies WHERE segment = ?1 "
                           "LIMIT 1"));
    q.bind(1, std::int64_t{segment_->id()});
    MF_TRY(holds_mail, q.step());
    q.reset();
    if (holds_mail) MF_CHECK(roll_segment_if_full(true));
  }
  Sealed total;
  std::set<std::uint32_t> packed;
  MF_TRY(packs, db_->prepare("SELECT id FROM packs"));
  MF_CHECK(packs.each([&](auto&) { packed.insert(static_cast<std::uint32_t>(packs.column_int(0))); }));
  std::vector<std::uint32_t> unsealed;
  for (std::uint32_t id = 1; id < segment_->id(); ++id)
    if (!packed.count(id)) unsealed.push_back(id);
  for (auto id : unsealed) {
    MF_TRY(one, seal_into_pack(id, level));
    total.segments += one.segments;
    total.bytes_before += one.bytes_before;
    total.bytes_after += one.bytes_after;
    total.raw_bytes += one.raw_bytes;
  }
  return total;
}

Result<Archive::Sealed> Archive::seal_into_pack(std::uint32_t id, int level) {
  if (segment_ && id == segment_->id())
    return make_error(Errc::Usage, "the active segment is written to; it is sealed when full", where_of(id, 0));
  MF_TRY(source, pack_of(id));
  std::uint32_t generation = 0;
  std::string from = segment_path(dir_, id);
  if (source) {
    MF_TRY(q, db_->prepare("SELECT generation FROM packs WHERE id = ?1"));
    q.bind(1, std::int64_t{id});
    MF_CHECK(q.step());
    auto current = static_cast<std::uint32_t>(q.column_int(0));
    from = pack_path(dir_, id, current);
    generation = current + 1;
  }
  MF_TRY(drop, purged_frames(id));
  std::string to = pack_path(dir_, id, generation);
  std::error_code ec;
  fs::remove(to, ec);  // what an interrupted seal left; the catalog names no such pack
  Sealed out{1, fs::file_size(from, ec), 0, 0};
  std::vector<std::pair<std::uint64_t, std::uint64_t>> moved;  // old offset -> item number
  auto write = [&]() -> Result<std::uint64_t> {
    MF_TRY(writer, PackWriter::create(to, id, generation, level));
    auto keep = [&](std::uint64_t offset, FrameKind kind, std::string_view content) -> Result<void> {
      if (drop.count(offset)) return {};
      MF_TRY(number, writer.add(kind, content));
      moved.emplace_back(offset, number);
      out.raw_bytes += content.size();
      return {};
    };
    if (source) {
      MF_CHECK(source->scan([&](std::uint64_t number, const PackItem& item, std::string_view content) {
        return keep(number, item.kind, content);
      }, nullptr));
      return writer.finish();
    }
    std::string problem;
    MF_TRY(end, scan_frames(from, 0, [&](FrameAt& f) -> Result<void> {
      if (drop.count(f.offset)) return {};
      std::string where = where_of(id, f.offset);
      // A pack keeps no hash per item: what goes in is checked here, so
      // that sealing never hides a damaged frame.
      Result<std::string> content = std::string();
      if (f.header.delta) {
        content = read_content(FrameKind::Message, id, f.offset, "");
      } else {
        const Dictionary* dict = nullptr;
        if (f.header.kind == FrameKind::Message || f.header.kind == FrameKind::Body) {
          MF_TRY(d, dictionary(f.header.dictionary));
          dict = d;
        }
        content = frame_content(f.header, f.payload, dict, where);
      }
      if (!content) return content.error();
      if (sha256(*content) != f.header.sha256)
        return make_error(Errc::Corrupt, "the frame does not match its SHA-256; not sealed (archive verify names it)",
                          where);
      return keep(f.offset, f.header.kind, *content);
    }, &problem));
    if (!problem.empty())
      return make_error(Errc::Corrupt, "cannot seal: " + problem + " (archive verify names it)", where_of(id, end));
    return writer.finish();
  };
  auto written = write();
  if (!written) {
    fs::remove(to, ec);
    return written.error();
  }
  out.bytes_after = *written;
  crash_point("seal-written");
  {
    // No reader between the catalog's new places and the file they are places in.
    MF_TRY(no_readers, lock_out_readers());
    MF_TRY(tx, sql::Transaction::begin(*db_));
    MF_CHECK(db_->exec("CREATE TEMP TABLE IF NOT EXISTS moved(old INTEGER PRIMARY KEY, new INTEGER NOT NULL); "
                       "DELETE FROM moved"));
    MF_TRY(insert, db_->prepare("INSERT INTO moved(old, new) VALUES (?1, ?2)"));
    for (const auto& [old_offset, number] : moved) {
      insert.bind(1, static_cast<std::int64_t>(old_offset)).bind(2, static_cast<std::int64_t>(number));
      MF_CHECK(insert.run());
      insert.reset();
    }
    MF_CHECK(unplace_purged(id));
    for (const char* table : {"messages", "bodies", "events", "dictionaries"}) {
      MF_TRY(lost, db_->prepare(std::string("SELECT COUNT(*) FROM ") + table +
                                " WHERE segment = ?1 AND offset NOT IN (SELECT old FROM moved)"));
      lost.bind(1, std::int64_t{id});
      MF_CHECK(lost.step());
      if (lost.column_int(0) > 0)
        return make_error(Errc::Corrupt, std::string("the catalog's ") + table + " name " +
                                             std::to_string(lost.column_int(0)) + " frames the segment does not hold; " +
                                             "not sealed (archive verify names them)", from);
      MF_TRY(move, db_->prepare(std::string("UPDATE ") + table + " AS t SET offset = (SELECT new FROM moved WHERE " +
                                "old = t.offset) WHERE segment = ?1"));
      move.bind(1, std::int64_t{id});
      MF_CHECK(move.run());
    }
    // Heads in a pack are whole, and items have no stored size of their own.
    MF_TRY(whole, db_->prepare("UPDATE messages SET base = 0, stored_size = 0 WHERE segment = ?1"));
    whole.bind(1, std::int64_t{id});
    MF_CHECK(whole.run());
    MF_TRY(bodies, db_->prepare("UPDATE bodies SET stored_size = 0 WHERE segment = ?1"));
    bodies.bind(1, std::int64_t{id});
    MF_CHECK(bodies.run());
    MF_TRY(pack, db_->prepare("INSERT OR REPLACE INTO packs(id, generation, size) VALUES (?1, ?2, ?3)"));
    pack.bind(1, std::int64_t{id}).bind(2, std::int64_t{generation}).bind(3, static_cast<std::int64_t>(out.bytes_after));
    MF_CHECK(pack.run());
    MF_CHECK(set_meta(*db_, "format", "3"));
    MF_CHECK(tx.commit());
    crash_point("seal-committed");
    packs_.erase(from);
    fs::remove(from, ec);
    if (ec) return make_error(Errc::Io, "sealed, but the old file cannot be removed: " + ec.message(), from);
  }
  MF_CHECK(sync_directory_of(from));
  return out;
}

Result<void> Archive::finish_sealing() {
  std::map<std::uint32_t, std::uint32_t> named;  // id -> generation
  MF_TRY(q, db_->prepare("SELECT id, generation FROM packs"));
  MF_CHECK(q.each([&](auto&) {
    named[static_cast<std::uint32_t>(q.column_int(0))] = static_cast<std::uint32_t>(q.column_int(1));
  }));
  bool removed = false;
  std::error_code ec;
  for (const auto& [id, generations] : pack_files(dir_))
    for (auto generation : generations)
      if (auto n = named.find(id); n == named.end() || n->second != generation)
        removed |= fs::remove(pack_path(dir_, id, generation), ec);  // unfinished, or replaced by a newer one
  for (const auto& [id, generation] : named) {
    if (!fs::exists(segment_path(dir_, id), ec)) continue;
    // The segment goes only when the pack the catalog names is there and whole.
    if (auto pack = Pack::open(pack_path(dir_, id, generation)); pack) removed |= fs::remove(segment_path(dir_, id), ec);
  }
  if (removed) MF_CHECK(sync_directory_of(segment_path(dir_, 1)));
  return {};
}

}  // namespace mf::archive
