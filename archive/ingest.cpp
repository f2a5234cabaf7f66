// Ingest: messages into frames (heads and bodies apart, a copy's head a
// delta on its base's head, bodies stored once), the zstd dictionary.
#include "archive/archive.h"

#include "archive/detail/batch.h"
#include "archive/detail/catalog.h"
#include "core/atomic_file.h"
#include "core/crash_point.h"
#include "mime/date.h"
#include "mime/headers.h"

#define ZDICT_STATIC_LINKING_ONLY  // ZDICT_trainFromBuffer_fastCover with fixed parameters
#include <zdict.h>
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
  if (current_dictionary_ != 0 && !cdict_) {  // made on first use: a command that only reads never pays for it
    MF_TRY(dict, dictionary(current_dictionary_));
    cdict_ = std::shared_ptr<void>(ZSTD_createCDict(dict->bytes.data(), dict->bytes.size(), kZstdLevel),
                                   [](void* p) { ZSTD_freeCDict(static_cast<ZSTD_CDict*>(p)); });
    if (!cdict_)
      return make_error(Errc::Io, "zstd could not load dictionary " + std::to_string(current_dictionary_), dir_);
  }
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
  std::string sha = q.column_text(0);
  MF_TRY(bytes, read_content(FrameKind::Dictionary, segment, offset, ""));
  if (to_hex(sha256(bytes)) != sha)
    return make_error(Errc::Corrupt, "dictionary " + std::to_string(id) + " does not match its hash",
                      where_of(segment, offset));
  return &dictionaries_.insert_or_assign(id, Dictionary(std::move(bytes))).first->second;
}

Result<void> Archive::load_current_dictionary() {
  MF_TRY(q, db_->prepare("SELECT COALESCE(MAX(id), 0) FROM dictionaries"));
  MF_CHECK(q.step());
  auto id = static_cast<std::uint16_t>(q.column_int(0));
  // Read and checked against its hash when first needed (compress_frame,
  // frame_content): a search or a get never pays for 112 KB read, hashed
  // and digested; a damaged one stops the first import that compresses
  // with it, before its batch is committed, and verify names it.
  if (id != current_dictionary_) cdict_.reset();
  current_dictionary_ = id;
  return {};
}


}  // namespace mf::archive
