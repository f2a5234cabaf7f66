// archive verify: every frame re-read and rehashed, the catalog compared
// with the segments, the chain recomputed, and retention re-derived from
// the events so that a purge before its time shows.
#include "archive/archive.h"
#include "archive/detail/catalog.h"

#include <filesystem>
#include <map>
#include <set>

namespace mf::archive {

using namespace detail;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string kind_name(FrameKind kind) {
  switch (kind) {
    case FrameKind::Message: return "message";
    case FrameKind::Body: return "body";
    case FrameKind::Event: return "event";
    case FrameKind::Dictionary: return "dictionary";
  }
  return "?";
}

}  // namespace

Result<std::vector<Fault>> Archive::verify() {
  // The segments and the catalog at one point: no writer's batch half there
  // (read-only, no writer can be here: a read-only copy holds still).
  std::optional<WriteScope> writing;
  std::optional<FileLock> reading;
  if (read_only_) {
    MF_TRY(lock, begin_read());
    reading.emplace(std::move(lock));
  } else {
    MF_TRY(scope, begin_write());
    writing.emplace(std::move(scope));
  }
  std::vector<Fault> faults;
  auto fault = [&](std::string kind, std::string where, std::string what) {
    faults.push_back(Fault{std::move(kind), std::move(where), std::move(what)});
  };
  using At = std::pair<std::uint32_t, std::uint64_t>;
  // The chain, from the segments (the truth); what it says of each message.
  struct Record {
    std::string sha, head, body;
    std::int64_t retain_until = 0;
    std::int64_t purged = 0;  // the purge event
  };
  std::map<std::int64_t, Record> told;  // message -> what the chain says
  std::set<std::string> told_bodies;     // bodies the chain stored
  std::map<std::int64_t, std::pair<std::string, At>> chain;  // seq -> hash, where
  std::string prev;
  std::int64_t expected_event = 1;
  // Each event as the scan meets it, in chain order: parsed events are not kept.
  auto follow_chain = [&](const At& at, const std::string& sha, const json& e) {
    std::string where = where_of(at.first, at.second);
    std::int64_t seq = e.value("seq", 0ll);
    if (seq != expected_event)
      fault("chain", where, "event " + std::to_string(seq) + " where event " + std::to_string(expected_event) +
                                " should follow (missing or reordered)");
    if (e.value("prev", "") != prev)
      fault("chain", where, "event " + std::to_string(seq) + " does not follow from the hash of the event before it");
    prev = sha;
    expected_event = seq + 1;
    chain[seq] = {sha, at};
    try {
      std::string type = e.at("type");
      auto raise = [&](std::int64_t message, std::int64_t until) {
        auto& r = told[message];
        r.retain_until = std::max(r.retain_until, until);
      };
      if (type == "ingest") {
        for (const auto& m : e.at("messages")) {
          auto& r = told[m.at("message").get<std::int64_t>()];
          r.sha = m.at("sha256");
          r.head = m.at("head");
          r.body = m.at("body");
        }
        for (const auto& b : e.at("bodies")) told_bodies.insert(b.at("sha256").get<std::string>());
        for (const auto& p : e.at("placements")) raise(p.at("message"), p.at("retain_until"));
      } else if (type == "policy") {
        for (const auto& r : e.at("raised")) raise(r.at(0), r.at(2));
      } else if (type == "purge") {
        std::int64_t time = e.at("time");
        for (const auto& t : e.at("messages")) {
          std::int64_t message = t.at("message");
          auto& r = told[message];
          if (r.sha != t.at("sha256")) fault("chain", where, "tombstone for message " + std::to_string(message) +
                                                                 " names another SHA-256 than its ingest");
          if (r.retain_until > time)
            fault("chain", where, "message " + std::to_string(message) + " was purged before its retain-until " +
                                      std::to_string(r.retain_until));
          r.purged = seq;
        }
      }
    } catch (const json::exception& x) {
      fault("chain", where, "event " + std::to_string(seq) + " lacks a field: " + x.what());
    }
  };

  // 1. Every frame of every segment: header, hash of the content, and the chain.
  struct Seen {
    FrameKind kind;
    std::string sha;
    std::int64_t base = 0;  // a delta head's base message
  };
  std::map<At, Seen> frames;
  std::vector<At> deltas;  // checked once the catalog says where their bases are
  std::map<std::uint16_t, Dictionary> segment_dictionaries;  // as found in the segments, not the catalog
  MF_TRY(active_text, meta(*db_, "active_segment"));
  MF_TRY(committed_text, meta(*db_, "committed_size"));
  auto active_number = meta_number(active_text);
  auto committed = meta_number(committed_text);
  std::uint32_t active = 0;
  if (!active_number || *active_number == 0 || *active_number > UINT32_MAX) {
    fault("catalog", "meta active_segment", "is \"" + active_text + "\", not a segment number");
    std::error_code ec;
    while (fs::exists(segment_path(dir_, active + 1), ec)) ++active;  // every segment there is
  } else {
    active = static_cast<std::uint32_t>(*active_number);
  }
  if (!committed) fault("catalog", "meta committed_size", "is \"" + committed_text + "\", not a size");
  std::map<std::string, std::string> pack_dictionaries;  // sha256 -> bytes, numbered by their events
  std::map<std::uint32_t, std::string> packed;            // segment -> the pack it is
  auto place = [&](const At& at) {
    auto p = packed.find(at.first);
    return p == packed.end() ? where_of(at.first, at.second) : p->second + " item " + std::to_string(at.second);
  };
  for (std::uint32_t id = 1; id <= active; ++id) {
    auto pack = pack_of(id);
    if (!pack) {
      fault("segment", pack_path(dir_, id, 0), pack.error().describe());
      continue;
    }
    if (*pack) {  // every block decompressed whole (its checksum checked), every item hashed
      packed[id] = (*pack)->path();
      std::vector<Pack::Damaged> damaged;
      MF_CHECK((*pack)->scan([&](std::uint64_t number, const PackItem& item, std::string_view content) -> Result<void> {
        std::string sha = to_hex(sha256(content));
        frames[{id, number}] = Seen{item.kind, sha, 0};
        if (item.kind == FrameKind::Dictionary) pack_dictionaries[sha] = std::string(content);
        if (item.kind != FrameKind::Event) return {};
        auto event = json::parse(content, nullptr, false);
        if (event.is_discarded() || !event.is_object()) fault("chain", (*pack)->where(number), "event is not JSON");
        else follow_chain({id, number}, sha, event);
        if (event.is_object() && event.value("type", "") == "dictionary")
          if (auto d = pack_dictionaries.find(event.value("sha256", "")); d != pack_dictionaries.end())
            segment_dictionaries.insert_or_assign(static_cast<std::uint16_t>(event.value("dictionary", 0)),
                                                  Dictionary(d->second));
        return {};
      }, &damaged));
      for (const auto& d : damaged)
        fault("frame", (*pack)->where(d.first), "block " + std::to_string(d.block) + " cannot be read (" + d.problem +
                                                    "): items " + std::to_string(d.first) + " to " +
                                                    std::to_string(d.last) + " lost");
      continue;
    }
    std::string path = segment_path(dir_, id);
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      fault("segment", path, "segment file missing");
      continue;
    }
    std::string problem;
    std::vector<DamagedSpan> damaged;
    MF_TRY(end, scan_frames(path, 0, [&](FrameAt& f) -> Result<void> {
      std::string where = where_of(id, f.offset);
      std::string sha = to_hex(f.header.sha256);
      const Dictionary* dict = nullptr;
      if (f.header.kind == FrameKind::Message || f.header.kind == FrameKind::Body)
        if (auto d = segment_dictionaries.find(f.header.dictionary); d != segment_dictionaries.end()) dict = &d->second;
      Seen seen{f.header.kind, sha, delta_base(f.header, f.payload)};
      if (f.header.delta) {
        deltas.push_back({id, f.offset});
        frames[{id, f.offset}] = std::move(seen);
        return {};
      }
      auto content = frame_content(f.header, f.payload, dict, where);
      if (!content) {
        fault("frame", where, content.error().message);
      } else if (to_hex(sha256(*content)) != sha) {
        fault("frame", where, kind_name(f.header.kind) + " bytes do not match the frame's SHA-256 " + sha);
      } else if (f.header.kind == FrameKind::Dictionary) {
        segment_dictionaries.insert_or_assign(f.header.dictionary, Dictionary(*content));
      } else if (f.header.kind == FrameKind::Event) {
        auto event = json::parse(*content, nullptr, false);
        if (event.is_discarded() || !event.is_object()) fault("chain", where, "event is not JSON");
        else follow_chain({id, f.offset}, sha, event);
      }
      frames[{id, f.offset}] = std::move(seen);
      return {};
    }, &problem, &damaged));
    for (const auto& d : damaged)
      fault("frame", where_of(id, d.offset),
            d.problem + "; " + std::to_string(d.resumed - d.offset) + " bytes unreadable up to the next intact frame");
    std::uint64_t expected_end = id == active && committed ? *committed : fs::file_size(path, ec);
    if (!problem.empty()) fault("frame", where_of(id, end), problem + "; the segment ends there");
    else if (end != expected_end)
      fault("segment", path, "holds " + std::to_string(end) + " bytes of frames, the catalog expects " +
                                 std::string(id == active ? "(meta committed_size) " : "") +
                                 std::to_string(expected_end));
  }

  // 2. The catalog against the segments and the chain; a catalog that SQLite
  // itself finds damaged cannot be compared (archive rebuild makes it anew).
  bool catalog_damaged = false;
  auto catalog_fault = [&](const std::string& what) {
    fault("catalog", dir_ + "/archive.db", "SQLite finds it damaged: " + what + " (archive rebuild makes it anew)");
    catalog_damaged = true;
  };
  if (auto check = db_->prepare("PRAGMA integrity_check(20)"); !check) {
    catalog_fault(check.error().message);
  } else {
    for (;;) {
      auto row = check->step();
      if (!row) catalog_fault(row.error().message);
      if (!row || !*row) break;
      if (check->column_text(0) != "ok") catalog_fault(check->column_text(0));
    }
  }
  if (catalog_damaged) return faults;
  std::set<At> referenced;
  MF_TRY(m, db_->prepare("SELECT m.seq, lower(hex(m.sha256)), m.segment, m.offset, m.retain_until, m.purged, "
                         "COALESCE(lower(hex(b.sha256)), ''), m.base FROM messages m LEFT JOIN bodies b ON b.id = m.body "
                         "ORDER BY m.seq"));
  std::map<std::string, bool> body_needed;  // body -> held by a message not purged
  std::int64_t expected_message = 1;
  for (;;) {
    MF_TRY(row, m.step());
    if (!row) break;
    std::int64_t seq = m.column_int(0);
    std::string name = "message " + std::to_string(seq), head, body = m.column_text(6);
    At at{static_cast<std::uint32_t>(m.column_int(2)), static_cast<std::uint64_t>(m.column_int(3))};
    std::int64_t purged = m.column_is_null(5) ? 0 : m.column_int(5);
    if (!body.empty()) body_needed[body] = body_needed[body] || !purged;
    if (seq != expected_message)
      fault("catalog", "message " + std::to_string(expected_message),
            "message numbers have a gap: next in the catalog is " + std::to_string(seq));
    expected_message = seq + 1;
    auto t = told.find(seq);
    if (t == told.end()) {
      fault("catalog", name, "not ingested by any event in the chain");
    } else {
      if (t->second.sha != m.column_text(1) || t->second.body != body)
        fault("catalog", name, "the catalog's SHA-256 of the message or of its body differs from its ingest event's");
      head = t->second.head;
      if (t->second.retain_until != m.column_int(4))
        fault("catalog", name, "retain-until " + std::to_string(m.column_int(4)) + " in the catalog, " +
                                   std::to_string(t->second.retain_until) + " by the chain");
      if (t->second.purged != purged)
        fault("catalog", name, purged ? "marked purged without a tombstone in the chain"
                                      : "tombstoned in the chain but not marked purged");
      told.erase(t);
    }
    if (at.first == 0) {
      if (!purged) fault("catalog", name, "has no frame and was not purged");
      continue;
    }
    referenced.insert(at);
    auto f = frames.find(at);
    if (f == frames.end() || f->second.kind != FrameKind::Message)
      fault("catalog", name, "no message frame at " + place(at));
    else if (f->second.sha != head)
      fault("catalog", name, "its ingest event says its head has SHA-256 " + head + ", the frame holds " + f->second.sha);
    else if (f->second.base != m.column_int(7))
      fault("catalog", name, "its head frame is a delta on message " + std::to_string(f->second.base) +
                                 ", the catalog says " + std::to_string(m.column_int(7)));
  }
  for (const auto& at : deltas) {  // read through the catalog: its faults are named above
    const auto& seen = frames[at];
    auto content = read_content(FrameKind::Message, at.first, at.second, seen.sha);
    if (!content)
      fault("frame", place(at), "delta head on message " + std::to_string(seen.base) +
                                                         " cannot be read: " + content.error().message);
    else if (to_hex(sha256(*content)) != seen.sha)
      fault("frame", place(at), "message bytes do not match the frame's SHA-256 " + seen.sha);
  }
  MF_TRY(bodies, db_->prepare("SELECT lower(hex(sha256)), segment, offset, id FROM bodies"));
  MF_TRY(owners, db_->prepare("SELECT group_concat(seq, ', ') FROM messages WHERE body = ?1 AND body != 0"));
  // "body 1f2e... (of message 3, 9)": the messages are looked up only when a fault names the body.
  auto body_name = [&](const std::string& sha, std::int64_t body) -> std::string {
    std::string name = "body " + sha.substr(0, 16);
    owners.bind(1, body);
    if (auto row = owners.step(); row && *row && !owners.column_is_null(0))
      name += " (of message " + owners.column_text(0) + ")";
    owners.reset();
    return name;
  };
  for (;;) {
    MF_TRY(row, bodies.step());
    if (!row) break;
    std::string sha = bodies.column_text(0);
    std::int64_t body = bodies.column_int(3);
    At at{static_cast<std::uint32_t>(bodies.column_int(1)), static_cast<std::uint64_t>(bodies.column_int(2))};
    if (!told_bodies.count(sha)) fault("catalog", body_name(sha, body), "stored by no event in the chain");
    auto needed = body_needed.find(sha);
    bool live = needed != body_needed.end() && needed->second;
    if (needed != body_needed.end()) body_needed.erase(needed);
    if (at.first == 0) {
      if (live) fault("catalog", body_name(sha, body), "has no frame but a message not purged ends with it");
      continue;
    }
    referenced.insert(at);
    auto f = frames.find(at);
    if (f == frames.end() || f->second.kind != FrameKind::Body || f->second.sha != sha)
      fault("catalog", body_name(sha, body), "no body frame with its SHA-256 at " + place(at));
  }
  for (const auto& [sha, live] : body_needed)
    fault("catalog", "body " + sha.substr(0, 16), "messages end with it, the catalog does not list it");
  for (const auto& [message, r] : told)
    fault("catalog", "message " + std::to_string(message), "ingested in the chain, missing from the catalog");
  MF_TRY(ev, db_->prepare("SELECT seq, hash, segment, offset FROM events ORDER BY seq"));
  for (;;) {
    MF_TRY(row, ev.step());
    if (!row) break;
    std::int64_t seq = ev.column_int(0);
    At at{static_cast<std::uint32_t>(ev.column_int(2)), static_cast<std::uint64_t>(ev.column_int(3))};
    referenced.insert(at);
    auto c = chain.find(seq);
    if (c == chain.end()) {
      fault("catalog", "event " + std::to_string(seq), "in the catalog, in no segment");
      continue;
    }
    if (c->second.first != ev.column_text(1) || c->second.second != at)
      fault("catalog", "event " + std::to_string(seq), "the catalog's hash or place differs from the segment's");
    chain.erase(c);
  }
  for (const auto& [seq, e] : chain) fault("catalog", "event " + std::to_string(seq), "in the segments, not in the catalog");
  MF_TRY(dicts, db_->prepare("SELECT id, sha256, segment, offset FROM dictionaries"));
  MF_CHECK(dicts.each([&](auto&) {
    At at{static_cast<std::uint32_t>(dicts.column_int(2)), static_cast<std::uint64_t>(dicts.column_int(3))};
    referenced.insert(at);
    auto f = frames.find(at);
    if (f == frames.end() || f->second.kind != FrameKind::Dictionary || f->second.sha != dicts.column_text(1))
      fault("catalog", "dictionary " + std::to_string(dicts.column_int(0)),
            "no dictionary frame with its SHA-256 at " + place(at));
  }));
  for (const auto& [at, seen] : frames)
    if (!referenced.count(at))
      fault("catalog", place(at),
            kind_name(seen.kind) + " frame the catalog does not list");
  return faults;
}

}  // namespace mf::archive
