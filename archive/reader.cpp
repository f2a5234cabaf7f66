// Reading: messages and heads (their hashes checked), events, lookups, stats.
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
#include <algorithm>
#include <cstdint>

namespace mf::archive {

using namespace detail;
using nlohmann::json;
namespace fs = std::filesystem;

Result<std::shared_ptr<Pack>> Archive::pack_of(std::uint32_t id) {
  if (!has_packs_table_) return std::shared_ptr<Pack>();
  MF_TRY(q, db_->prepare("SELECT generation FROM packs WHERE id = ?1"));
  q.bind(1, std::int64_t{id});
  MF_TRY(row, q.step());
  if (!row) return std::shared_ptr<Pack>();
  std::string path = pack_path(dir_, id, static_cast<std::uint32_t>(q.column_int(0)));
  if (auto open = packs_.find(path); open != packs_.end()) return open->second;
  MF_TRY(pack, Pack::open(path));
  packs_[path] = pack;
  return pack;
}

Result<std::string> Archive::read_content(FrameKind kind, std::uint32_t segment, std::uint64_t offset,
                                          const std::string& sha, bool whole_only) {
  MF_TRY(pack, pack_of(segment));
  if (pack) {  // whole heads only; its items carry no hash of their own: checked against the catalog's
    MF_TRY(content, pack->read(offset, kind));
    if (!sha.empty() && to_hex(sha256(content)) != sha)
      return make_error(Errc::Corrupt, "the item here does not match the SHA-256 the catalog names (" + sha + ")",
                        pack->where(offset));
    return content;
  }
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
  const Dictionary* dict = nullptr;
  if (kind == FrameKind::Message || kind == FrameKind::Body) {
    MF_TRY(d, dictionary(frame.header.dictionary));
    dict = d;
  }
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
  return read_content(FrameKind::Event, segment, offset, "");
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


Result<std::string> Archive::head(std::int64_t message) {
  MF_TRY(reading, begin_read());
  return head_of(message);
}

Result<std::vector<ChainEvent>> Archive::events_since(std::int64_t after, std::size_t limit) {
  MF_TRY(reading, begin_read());
  MF_TRY(q, db_->prepare("SELECT seq, segment, offset FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2"));
  q.bind(1, after).bind(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
  std::vector<ChainEvent> out;
  MF_CHECK(q.each([&](auto&) -> Result<void> {
    auto segment = static_cast<std::uint32_t>(q.column_int(1));
    auto offset = static_cast<std::uint64_t>(q.column_int(2));
    MF_TRY(text, read_event(segment, offset));
    auto e = json::parse(text, nullptr, false);
    auto corrupt = [&] {
      return make_error(Errc::Corrupt, "event " + std::to_string(q.column_int(0)) + " cannot be read as the chain wrote it",
                        where_of(segment, offset));
    };
    if (!e.is_object() || e.value("seq", 0ll) != q.column_int(0)) return corrupt();
    try {
      ChainEvent ev{e.at("seq"), e.at("type"), e.at("time"), {}, {}, {}};
      if (ev.type == "ingest") {
        for (const auto& m : e.at("messages")) ev.archived.push_back(m.at("message"));
        for (const auto& p : e.at("placements"))
          ev.placed.push_back({p.at("message"), p.at("account"), p.at("folder"),
                               p.at("flags").get<std::vector<std::string>>(), p.at("internaldate")});
      } else if (ev.type == "purge") {
        for (const auto& m : e.at("messages")) ev.purged.push_back(m.at("message"));
      }
      out.push_back(std::move(ev));
    } catch (const json::exception&) {
      return corrupt();
    }
    return {};
  }));
  return out;
}

Result<std::int64_t> Archive::last_change() {
  MF_TRY(q, db_->prepare("SELECT COALESCE(MAX(seq), 0) FROM events WHERE type IN ('ingest', 'purge')"));
  MF_CHECK(q.step());
  return q.column_int(0);
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
  if (has_packs_table_) {  // a pack's items have no stored size each: the packs count whole
    MF_TRY(packs, db_->prepare("SELECT COALESCE(SUM(size), 0) FROM packs"));
    MF_CHECK(packs.step());
    s.stored_bytes += packs.column_int(0);
  }
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
