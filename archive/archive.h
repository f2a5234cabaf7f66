// The archive (docs/formats/archive.md): messages stored once each, zstd
// compressed, in append-only segments; every change an event in a hash
// chain, also in the segments; archive.db (SQLite) as a catalog that the
// segments alone can rebuild. Not thread-safe: one Archive per thread.
// Many processes may use one archive at once: a writer holds archive.lock
// for one batch and takes up the chain where the last writer left it;
// readers hold no writer's lock, only archive.readers (shared), which
// compaction takes for itself while it switches a segment.
#pragma once

#include "archive/dictionary.h"
#include "archive/hold.h"
#include "archive/pack.h"
#include "archive/policy.h"
#include "archive/segment.h"
#include "core/file_lock.h"
#include "core/merkle.h"
#include "core/sqlite.h"

#include <nlohmann/json_fwd.hpp>  // private members only: the public API is JSON-free

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mf::archive {

// A message as read from a source, with where it was.
struct Placement {
  std::string account;  // "alice@old.example.org", "maildir:/srv/mail/alice"
  std::string folder;   // UTF-8, '/' between levels
  std::vector<std::string> flags;
  std::int64_t internaldate = 0;  // seconds since 1970 UTC
  std::string source;             // where it was read from: "imaps://alice@old.example.org:993"
  std::uint32_t copy = 0;         // the n-th identical message in this folder (0 first)
};

struct IngestRequest {
  std::string_view raw;  // the caller keeps the bytes alive until ingest() returns
  Placement placement;
  std::optional<Digest> sha256;  // of raw, when the caller has it already
};

enum class IngestOutcome {
  Archived,        // a new message (and its placement)
  Deduplicated,    // the message was archived before; a new placement
  AlreadyPresent,  // message and placement were archived before
  Rejected,        // not archived (reason says why)
};

struct IngestResult {
  IngestOutcome outcome = IngestOutcome::Archived;
  std::int64_t message = 0;  // the message's ingest number (gap-free, from 1)
  std::string reason;        // Rejected: why
};

struct Fault {
  std::string kind;   // "frame", "catalog", "chain", "segment"
  std::string where;  // segment and offset, message number, event number
  std::string what;
};

struct Stats {
  std::uint64_t messages = 0, placements = 0, raw_bytes = 0, stored_bytes = 0, placed_bytes = 0;
  std::uint64_t unparsed = 0, events = 0, purged = 0, bodies = 0;  // bodies: stored once each
  std::vector<std::pair<std::string, std::pair<std::uint64_t, std::uint64_t>>> accounts;  // placements, bytes
};

// An event of the chain as a follower of the archive reads it (search's
// indexer, an export): what it stored, placed and removed.
struct ChainEvent {
  std::int64_t seq = 0;
  std::string type;  // "ingest", "purge", "audit", "hold", "release", "policy", "checkpoint", ...
  std::int64_t time = 0;
  struct Placed {
    std::int64_t message = 0;
    std::string account, folder;
    std::vector<std::string> flags;
    std::int64_t internaldate = 0;
  };
  std::vector<std::int64_t> archived;  // ingest: the messages it stored that were new
  std::vector<Placed> placed;          // ingest: every placement it added
  std::vector<std::int64_t> purged;    // purge: the messages it removed
};

// A leaf of the message tree (Archive::message_tree): "NUMBER SHA256", the
// number in decimal, the SHA-256 of the whole message in lower-case hex.
inline std::string message_leaf(std::int64_t message, std::string_view sha256_hex) {
  return std::to_string(message) + " " + std::string(sha256_hex);
}

// What search, export and the server's readers need: no writer's lock is
// taken, so they run while a migration or a delivery writes.
class Reader {
 public:
  virtual ~Reader() = default;
  // The raw message, its hash checked against the frame and the catalog.
  [[nodiscard]] virtual Result<std::string> get(std::int64_t message) = 0;
  // Its header section alone (the body is neither read nor decompressed).
  [[nodiscard]] virtual Result<std::string> head(std::int64_t message) = 0;
  // The events after `after` (0: from the first), at most `limit`, in order.
  [[nodiscard]] virtual Result<std::vector<ChainEvent>> events_since(std::int64_t after, std::size_t limit) = 0;
  // The last event that stored, placed or removed messages (0: none): a
  // follower past it has nothing to do, whatever audit events came since.
  [[nodiscard]] virtual Result<std::int64_t> last_change() = 0;
  [[nodiscard]] virtual Result<Stats> stats() = 0;
};

// What a source of mail needs to store it: a batch at a time, durably.
class Writer {
 public:
  virtual ~Writer() = default;
  // Stores a batch: frames written and fsynced, then the catalog committed.
  // Each message's result comes back in order; an error means none of the
  // batch was acknowledged (whatever reached the segments is recovered on
  // the next open).
  [[nodiscard]] virtual Result<std::vector<IngestResult>> ingest(const std::vector<IngestRequest>& batch) = 0;
  // Whether the message (by SHA-256, hex) is archived with this placement.
  [[nodiscard]] virtual Result<bool> has_placement(const std::string& sha256, const Placement& placement) = 0;
};

class Archive final : public Reader, public Writer {
 public:
  // Opens DIR (create: make it if it does not exist). A segment tail that
  // the catalog does not know yet (a crash after the frames were written)
  // is replayed into the catalog or, when torn, cut off; `notes` says what
  // was done. `actor` is who the events this object records are by (the
  // OS user for the CLI; the logged-in user for the server).
  [[nodiscard]] static Result<std::unique_ptr<Archive>> open(const std::string& dir, std::string actor, bool create,
                                                             std::vector<std::string>* notes = nullptr);
  // Opens DIR only to read it (an auditor's read-only copy or mount): no
  // lock file is made, nothing is recovered, and everything that writes
  // (ingest, audit, holds, ...) fails with Errc::Perm; checkpoint() gives
  // the head without recording an event.
  [[nodiscard]] static Result<std::unique_ptr<Archive>> open_read_only(const std::string& dir, std::string actor);
  bool read_only() const { return read_only_; }
  // The chain's last event and its hash as this object last saw them (0, "": none).
  std::pair<std::int64_t, std::string> chain_head() const { return {next_event_ - 1, head_hash_}; }
  ~Archive();
  // Recreates archive.db from the segments alone (the old one is moved
  // aside, not deleted). Returns what was done.
  struct Rebuilt {
    std::vector<std::string> notes;
    std::vector<std::string> damage;  // frames skipped, events lost: incomplete when not empty
  };
  [[nodiscard]] static Result<Rebuilt> rebuild(const std::string& dir);

  [[nodiscard]] Result<std::vector<IngestResult>> ingest(const std::vector<IngestRequest>& batch) override;
  // An audit event, durably: the command, the actor, its details (a JSON
  // object as text: what the command did, its report).
  [[nodiscard]] Result<void> audit(const std::string& command, std::string_view details_json);

  [[nodiscard]] Result<std::string> get(std::int64_t message) override;
  [[nodiscard]] Result<std::string> head(std::int64_t message) override;
  [[nodiscard]] Result<std::vector<ChainEvent>> events_since(std::int64_t after, std::size_t limit) override;
  [[nodiscard]] Result<std::int64_t> last_change() override;
  [[nodiscard]] Result<std::optional<std::int64_t>> find_by_message_id(const std::string& message_id);
  [[nodiscard]] Result<bool> has_placement(const std::string& sha256, const Placement& placement) override;
  [[nodiscard]] Result<Stats> stats() override;
  // The chain's head now; a "checkpoint" event records that it was taken.
  struct Checkpoint {
    std::string archive;        // the directory, absolute
    std::int64_t event = 0;     // the last event
    std::string hash;           // its SHA-256
    std::int64_t messages = 0;  // messages ingested up to it
    std::int64_t time = 0;
    std::string messages_root;  // message_tree(messages)'s root, hex
    std::shared_ptr<const MerkleTree> tree;  // that tree, for proofs (made once: a pass over every message)
  };
  [[nodiscard]] Result<Checkpoint> checkpoint();
  // The Merkle tree (RFC 9162 §2.1) over messages 1..`messages` in number
  // order, a leaf per message (message_leaf); purged messages stay in it by
  // their tombstones, so a checkpoint's root holds for as long as the chain.
  [[nodiscard]] Result<MerkleTree> message_tree(std::int64_t messages);
  // What an export's manifest says of a message (nullopt: no such number).
  struct Record {
    std::int64_t message = 0, size = 0, date = 0, retain_until = 0;  // date: of Date:, 0 if none
    std::string sha256, class_name;
    bool purged = false;
    struct Where {
      std::string account, folder, class_name;
      std::vector<std::string> flags;
      std::int64_t internaldate = 0;
    };
    std::vector<Where> placements;
    std::vector<std::string> holds;  // the active legal holds that keep it
  };
  [[nodiscard]] Result<std::optional<Record>> record_of(std::int64_t message);
  // The hash of event `seq` as the catalog has it (verify() checks it against the segments).
  [[nodiscard]] Result<std::optional<std::string>> event_hash(std::int64_t seq);
  // Events of one type (all types when empty) at or after `since`, in order: their JSON.
  [[nodiscard]] Result<std::vector<std::string>> events(const std::string& type, std::int64_t since);
  // Re-reads every frame, compares the catalog with the segments and
  // recomputes the chain. An empty list: nothing is wrong.
  [[nodiscard]] Result<std::vector<Fault>> verify();

  // Retention (archive/retention.cpp). The policy in force (Policy::standard() until one is set).
  [[nodiscard]] Result<Policy> policy();
  // Replaces the policy; refused when it shortens a class. Every message's
  // retain-until is recomputed and kept when it is later than the new one.
  // Returns how many messages now stay longer.
  [[nodiscard]] Result<std::uint64_t> set_policy(const Policy& policy);

  struct Hold {
    std::string name, query, user;
    std::int64_t since = 0;     // time the hold was placed
    std::uint64_t messages = 0;  // messages it holds now
  };
  // Places a legal hold (HoldQuery syntax, archive/hold.h); a case name is unique among active holds.
  [[nodiscard]] Result<std::uint64_t> add_hold(const std::string& name, const std::string& query);
  [[nodiscard]] Result<void> release_hold(const std::string& name);
  [[nodiscard]] Result<std::vector<Hold>> holds();

  struct PurgePlan {
    std::uint64_t expired = 0, held = 0;         // messages past retain-until; of them, on hold
    std::uint64_t messages = 0, bytes = 0;       // to purge: expired, not held (raw bytes)
    std::uint64_t segments_compacted = 0;        // segments rewritten
    std::uint64_t stored_bytes_freed = 0;
  };
  // Removes every message past its retain-until that no hold keeps: a
  // tombstone event per batch (message number, SHA-256, size, retain-until)
  // stays in the chain; the segments holding them are rewritten without
  // them. `dry_run`: only counts.
  [[nodiscard]] Result<PurgePlan> purge(bool dry_run);

  struct Sealed {
    std::uint64_t segments = 0;                        // rewritten as packs
    std::uint64_t bytes_before = 0, bytes_after = 0;  // their files
    std::uint64_t raw_bytes = 0;                      // of the items in them, uncompressed
  };
  // Rewrites every segment that is full (sealed), and with `active` also
  // the active one when it holds mail, as a pack (archive/pack.h): its frames' contents in
  // large zstd blocks at `level`, without the frames of purged messages.
  // Each pack is written and fsynced beside its segment, switched in the
  // catalog in one transaction, then the segment is removed.
  [[nodiscard]] Result<Sealed> seal(bool active, int level = kPackLevel);

  const std::string& dir() const { return dir_; }

  // How long a command waits for another writer's batch, or for readers to
  // let compaction switch a segment, before it fails with Errc::InUse:
  // MAILFERRY_ARCHIVE_LOCK_WAIT seconds, 60 when not set.
  static std::chrono::milliseconds lock_wait();

 private:
  Archive() = default;
  // Held while the archive is written: archive.lock, taken by the outermost
  // scope, with the chain's tail taken up again from the catalog (refresh).
  class WriteScope {
   public:
    explicit WriteScope(Archive* archive) : archive_(archive) {}
    WriteScope(WriteScope&& other) noexcept : archive_(std::exchange(other.archive_, nullptr)) {}
    WriteScope& operator=(WriteScope&&) = delete;
    ~WriteScope();

   private:
    Archive* archive_;
  };
  [[nodiscard]] Result<WriteScope> begin_write();
  // Shared: segments are read where the catalog says (compaction moves frames).
  [[nodiscard]] Result<FileLock> begin_read();
  // Exclusive, while compaction switches a segment and its catalog rows.
  [[nodiscard]] Result<FileLock> lock_out_readers();
  // Opening's work (schema, unfinished compaction, recovery, dictionary,
  // policy), under the write lock.
  Result<void> load(std::vector<std::string>* notes);
  // Whether another writer changed the archive since this one last looked;
  // if so, load() again.
  Result<void> refresh();
  struct Batch;
  Result<void> recover(std::vector<std::string>* notes);
  // The chain's last event and the last message number, from the catalog.
  Result<void> load_head();
  struct Replayed {
    std::uint64_t end = 0;     // where the last whole event ends
    std::size_t events = 0;
    std::string problem;       // why replay stopped before the end, if it did
    std::vector<std::string> damage;  // salvaging: what was skipped
  };
  // Applies the events of a segment from an offset on (continuing the chain).
  // salvage (rebuild): a damaged frame is skipped and named, the chain goes
  // on after events lost in it, an event that cannot be applied is named and
  // left out; every intact frame is kept.
  struct ChainReplay;
  Result<Replayed> replay_segment(std::uint32_t id, std::uint64_t from, bool salvage = false);
  struct Blob {
    std::uint32_t segment = 0;
    std::uint64_t offset = 0;
    std::int64_t base = 0;  // a delta head's base message
  };
  using Blobs = std::map<std::string, Blob>;  // sha256 -> where: the frames an event refers to
  Result<void> apply_event(const nlohmann::json& event, const std::string& hash, std::uint32_t segment,
                           std::uint64_t offset, const Blobs& blobs);
  Result<void> apply_placements(const nlohmann::json& placements, std::int64_t event);
  // A head or body frame's bytes (its header's SHA-256 checked when `sha` is
  // given); a delta head is read with its base message's head, which
  // `whole_only` requires to be stored whole.
  Result<std::string> read_content(FrameKind kind, std::uint32_t segment, std::uint64_t offset, const std::string& sha,
                                   bool whole_only = false);
  // A message's head alone (what retention rules and holds look at, and a
  // delta's base `as_base`, which must be stored whole): its body is
  // neither read nor decompressed.
  Result<std::string> head_of(std::int64_t message, bool as_base = false);
  // The event frame's JSON (decompressed when it was stored compressed).
  Result<std::string> read_event(std::uint32_t segment, std::uint64_t offset);
  // Rewrites a segment without the frames of purged messages (archive/retention.cpp).
  Result<std::uint64_t> compact(std::uint32_t segment);
  // The frames of segment or pack `id` that purged messages leave behind
  // (by offset: heads no live message shares, bodies no live message ends with).
  Result<std::set<std::uint64_t>> purged_frames(std::uint32_t id);
  // The catalog rows of purged messages and dead bodies in `id` lose their
  // place (0, 0): their frames are not copied into its rewrite.
  Result<void> unplace_purged(std::uint32_t id);
  Result<void> finish_compaction();
  // The pack segment `id` was sealed into (null: it is a segment file).
  Result<std::shared_ptr<Pack>> pack_of(std::uint32_t id);
  // Writes segment or pack `id` as a new pack without the frames of purged
  // messages and switches the catalog to it; returns the bytes it freed.
  Result<Sealed> seal_into_pack(std::uint32_t id, int level);
  // A crash during sealing: a pack the catalog names makes its segment
  // (and older generations) go; a pack it does not name goes.
  Result<void> finish_sealing();
  // Replays a pack into the catalog (rebuild).
  Result<Replayed> replay_pack(std::uint32_t id, std::uint32_t generation, Pack& pack);
  struct MessageView;
  // Each message matching an SQL condition on `m` (messages) with ?1 = param, with its placements.
  Result<void> each_message(const std::string& condition, std::int64_t param,
                            const std::function<Result<void>(MessageView&)>& visit);
  Result<std::vector<std::pair<std::string, HoldQuery>>> active_holds();
  Result<bool> held(MessageView& message, const std::vector<std::pair<std::string, HoldQuery>>& holds);
  // Runs a batch; on failure the segment is cut back and the counters reset,
  // so the next batch continues the chain as if this one never started.
  Result<std::vector<IngestResult>> ingest_batch(const std::vector<IngestRequest>& batch);
  Result<std::uint64_t> append_event(Batch& batch, nlohmann::json event);
  // Returns the frame's stored (compressed) size.
  Result<std::uint64_t> store_frame(Batch& batch, FrameKind kind, std::string_view bytes, const Digest& digest,
                                    ZSTD_CCtx& cctx);
  // Compresses into compress_buffer_ (payload_size bytes of it).
  Result<FrameHeader> compress_frame(FrameKind kind, std::string_view bytes, const Digest& digest, ZSTD_CCtx& cctx);
  // A head as a delta on the head of message `base`.
  Result<std::uint64_t> store_delta(Batch& batch, std::string_view head, const Digest& digest, std::int64_t base,
                                    const std::string& base_head, ZSTD_CCtx& cctx);
  // Appends an event (verify, hold, policy, ...) to the chain, durably.
  Result<void> record(const std::string& type, nlohmann::json data);
  // Appends events as one durable batch (record() for several).
  Result<void> record_all(std::vector<nlohmann::json> events);
  Result<void> load_policy();
  Result<void> commit(Batch& batch);
  // force: also a segment that is not full (archive seal), unless it is empty.
  Result<void> roll_segment_if_full(bool force = false);

  std::string dir_;
  std::string actor_;
  bool read_only_ = false;
  int write_depth_ = 0;
  std::optional<FileLock> write_lock_;  // DIR/archive.lock, while write_depth_ > 0
  std::unique_ptr<sql::Database> db_;
  std::unique_ptr<SegmentWriter> segment_;
  std::string head_hash_;        // the last event's hash
  std::int64_t next_event_ = 1;  // the next event's number
  std::int64_t next_message_ = 1;
  std::string damage_;  // set when the archive must not be written to
  std::unique_ptr<Policy> policy_;
  std::map<std::string, std::shared_ptr<Pack>> packs_;  // opened, by path (a pack never changes)
  bool has_packs_table_ = true;  // false: a read-only archive of format 2

  // zstd dictionaries (trained from the archive's first batch of mail).
  Result<const Dictionary*> dictionary(std::uint16_t id);
  Result<void> load_current_dictionary();
  Result<void> train_dictionary(const std::vector<IngestRequest>& batch, Batch& frames);
  std::map<std::uint16_t, Dictionary> dictionaries_;
  std::uint16_t current_dictionary_ = 0;  // what new messages are compressed with (0: none)
  std::shared_ptr<void> cdict_;           // ZSTD_CDict of the current dictionary
  std::string compress_buffer_;          // reused for every frame compressed
  std::string samples_;                   // mail seen so far, to train the first dictionary from
  std::vector<std::size_t> sample_sizes_;
};

}  // namespace mf::archive
