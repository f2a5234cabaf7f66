#include "migrate/copier.h"

#include "core/crash_point.h"
#include "core/log.h"
#include "core/sha256.h"
#include "core/stop.h"
#include "imap/date.h"
#include "imap/value.h"
#include "imap/writer.h"
#include "migrate/batches.h"
#include "migrate/deletions.h"
#include "migrate/flag_sync.h"
#include "migrate/plan.h"
#include "migrate/reconcile.h"
#include "migrate/rematch.h"
#include "migrate/throttle.h"
#include "net/task_group.h"
#include "source/message_info.h"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>
#include <regex>
#include <set>

namespace mf::migrate {
namespace {

using namespace net::asio::experimental::awaitable_operators;

using imapclient::Client;

// A Ctrl-C: the batch in flight is recorded, no new one is started.
Error stopped(const std::string& folder) {
  return make_error(Errc::Stopped,
                    "stopped as asked, before the next batch; every message copied so far is recorded: run the same "
                    "command again to continue",
                    "folder \"" + folder + "\"");
}

// What a source sends is checked before any of it goes to the target: a
// "flag" that is no flag atom is left out, an INTERNALDATE that is no
// date-time (RFC 9051 §9) too (the target then sets its own); each noted.
void note_invalid_source_data(source::SourceMessage& m, FolderResult& result) {
  for (const auto& flag : m.invalid_flags)
    result.notes.push_back(MessageNote{m.uid, "left out a flag that is not a valid IMAP flag: " + flag});
  if (!m.internaldate.empty() && !imap::parse_date_time(m.internaldate)) {
    result.notes.push_back(MessageNote{m.uid, "left out an INTERNALDATE that is not a valid date (\"" +
                                                  imap::shown(m.internaldate) + "\"); the target set its own"});
    m.internaldate.clear();
  }
}

// Found on the target by a hash blind to known server rewrites, not by its
// SHA-256: the target keeps other bytes than the source sent.
void note_altered_by_target(std::uint32_t uid, FolderResult& result) {
  ++result.altered_by_target;
  result.notes.push_back(MessageNote{uid, "the target keeps it with other bytes than the source sent (found by a hash "
                                          "blind to line ends and 8-bit header bytes, which Dovecot and Cyrus "
                                          "rewrite on APPEND)"});
}

// A message to copy, as the scan found it.
struct Planned {
  std::uint32_t uid = 0;
  std::uint64_t size = 0;
  std::vector<std::string> flags;
};

// A folder after the scan: what is to be copied.
struct FolderWork {
  FolderPair pair;
  FolderResult result;
  std::int64_t state_id = 0;
  std::vector<Planned> todo;
  std::map<std::uint32_t, std::vector<std::string>> copied_flags;  // flags now of messages copied before
  std::map<std::uint32_t, std::uint64_t> copied_sizes;             // ...and their sizes
  // Messages on the target by SHA-256, looked at when the state file cannot
  // say what the target folder holds (no record of it, or another folder
  // now): a message found there is recorded, not appended again.
  std::map<std::string, std::vector<std::uint32_t>> on_target;
  std::map<std::string, std::vector<std::uint32_t>> on_target_blind;  // the same, by source::rewrite_blind_hash
  std::set<std::uint32_t> on_target_taken;                            // target UIDs matched already
  std::vector<std::uint32_t> gone;  // copied before, expunged at the source since
  std::optional<source::FolderSnapshot> snapshot;  // the source at the start of this pass (CONDSTORE)
  bool unchanged = false;                  // same snapshot as the last complete pass: nothing to do
  std::uint32_t target_floor = 1;  // no message appended from now on gets a lower UID
  std::string archive_account, archive_source;  // what --archive records as the placement's account and source
};

struct Fetched {
  std::uint32_t uid = 0;
  std::vector<std::string> flags;
  std::string internaldate;
  std::string body;
  Digest sha256{};  // of body, taken once as it arrives

  explicit Fetched(source::SourceMessage& m)
      : uid(m.uid), flags(std::move(m.flags)), internaldate(std::move(m.internaldate)), body(std::move(m.body)),
        sha256(mf::sha256(body)) {}
};

// A folder whose CONDSTORE snapshot (HIGHESTMODSEQ, UIDNEXT, count) is that
// of the last complete pass needs no FETCH on either side: one STATUS. The
// target folder must still be the one the copies went to (the same
// UIDVALIDITY, at least as many messages): one emptied or made anew since is
// copied into again.
using TargetStatuses = std::map<std::string, std::map<std::string, std::uint64_t>>;

Result<bool> unchanged_since_last_pass(const source::MailSource::Snapshots& snapshots, const TargetStatuses& targets,
                                       const FolderPair& pair, StateStore& state, const std::string& account,
                                       FolderWork& work) {
  auto now = snapshots.find(pair.source.name);
  if (now == snapshots.end()) return false;
  work.snapshot = now->second.second;
  MF_TRY(folder, state.folder(account, pair.source.name, now->second.first, pair.target.target));
  if (folder.uidvalidity_changed || !pair.target_exists) return false;
  MF_TRY(target_validity, state.target_uidvalidity(folder.id));
  auto target = targets.find(pair.target.target);
  if (!target_validity || target == targets.end() || !target->second.count("UIDVALIDITY") ||
      !target->second.count("MESSAGES") || target->second.at("UIDVALIDITY") != *target_validity)
    return false;
  MF_TRY(recorded, state.snapshot(folder.id));
  MF_TRY(pending, state.pending(folder.id));
  if (recorded != work.snapshot || !pending.empty()) return false;
  MF_TRY(copied, state.copied_count(folder.id));
  if (target->second.at("MESSAGES") < static_cast<std::uint64_t>(copied)) return false;  // emptied since
  work.state_id = folder.id;
  work.result.source_messages = work.snapshot->messages;
  work.result.already_copied = static_cast<std::uint32_t>(copied);
  return true;
}

// What --archive stores of fetched messages (bytes not copied: views).
std::vector<archive::IngestRequest> archive_requests_of(const FolderWork& work, const std::vector<Fetched>& fetched) {
  std::vector<archive::IngestRequest> out;
  for (std::size_t i = 0; i < fetched.size(); ++i) {
    // The source UID tells identical messages in one folder apart, and stays
    // the same when an interrupted pass reads the message again.
    out.push_back(ingest_request(fetched[i].body, fetched[i].sha256, work.archive_account, work.result.source,
                                 fetched[i].flags, fetched[i].internaldate, work.archive_source, fetched[i].uid));
  }
  return out;
}

// After a crash between a batch's APPEND and the end of its archiving, the
// resume finds the batch on the target; what the archive lacks of it is read
// from the source again and archived (the source folder is selected).
net::Task<Result<void>> archive_catch_up(source::MailSource& source, const FolderWork& work,
                                         const std::vector<CopiedMessage>& reconciled, const CopyOptions& options) {
  MF_CO_TRY(missing, co_await options.archive->missing(work.archive_account, work.result.source, reconciled));
  if (missing.empty()) co_return Result<void>{};
  std::vector<Fetched> fetched;
  MF_CO_CHECK(co_await source.fetch(missing, [&](source::SourceMessage& m) -> Result<void> {
    fetched.emplace_back(m);
    return {};
  }));
  auto requests = archive_requests_of(work, fetched);
  MF_CO_TRY(stored, co_await options.archive->store(requests));
  (void)stored;
  co_return Result<void>{};
}

net::Task<Result<FolderWork>> scan_folder(source::MailSource& source, Client& target, FolderPair pair, StateStore& state,
                                          const std::string& account, const source::Endpoint& from, const CopyOptions& options,
                                          const source::MailSource::Snapshots& snapshots, const TargetStatuses& targets) {
  bool dry_run = options.dry_run;
  FolderWork work;
  work.result.source = pair.source_display;
  work.result.target = pair.target.display;
  MF_CO_TRY(unchanged, unchanged_since_last_pass(snapshots, targets, pair, state, account, work));
  if (unchanged) {
    work.unchanged = work.result.unchanged = true;
    work.pair = std::move(pair);
    co_return work;
  }
  auto selected = co_await source.select(pair.source.name);
  if (!selected) co_return selected.error();
  auto folder = state.folder(account, pair.source.name, selected->uidvalidity, pair.target.target);
  if (!folder) co_return folder.error();
  work.state_id = folder->id;
  if (folder->uidvalidity_changed && dry_run)
    co_return make_error(Errc::Perm,
                         "source UIDVALIDITY changed from " + std::to_string(folder->source_uidvalidity) + " to " +
                             std::to_string(selected->uidvalidity) + "; a real run finds the copied messages again by hash",
                         "folder \"" + pair.source_display + "\"");
  Result<Reconciled> reconciled = Reconciled{};  // not ?: with co_await (GCC 12)
  if (!dry_run) reconciled = co_await reconcile_pending(target, pair.target.target, pair.target_exists, state, folder->id);
  if (!reconciled)
    co_return with_context(reconciled.error(), "settling the interrupted run of \"" + pair.source_display + "\"");
  work.result.reconciled = static_cast<std::uint32_t>(reconciled->found.size());
  for (auto uid : reconciled->altered) note_altered_by_target(uid, work.result);
  work.archive_account = source::account_name(from);
  work.archive_source = source::source_name(from);
  if (options.archive && !reconciled->found.empty())
    MF_CO_CHECK(co_await archive_catch_up(source, work, reconciled->found, options));
  if (folder->uidvalidity_changed) {
    MF_CO_TRY(rematched, co_await rematch_source(source, selected->exists, state, folder->id, selected->uidvalidity));
    work.result.rematched = rematched;
  }
  MF_CO_TRY(done, state.copied_uids(folder->id));
  std::set<std::uint32_t> present;
  if (selected->exists > 0) {
    std::vector<Planned> all;
    const auto& filter = options.filter;
    MF_CO_CHECK(co_await source.summaries(filter.by_date(), [&](source::MessageSummary& m) -> Result<void> {
      present.insert(m.uid);
      std::optional<std::int64_t> date;
      if (m.internaldate)
        if (auto dt = imap::parse_date_time(*m.internaldate)) date = dt->epoch;
      if (!done.count(m.uid) && !filter.wanted(m.size, date)) {
        ++work.result.filtered;
        return {};
      }
      all.push_back(Planned{m.uid, m.size, std::move(m.flags)});
      return {};
    }));
    work.result.source_messages = static_cast<std::uint32_t>(present.size());
    for (auto& m : all) {
      if (done.count(m.uid)) {
        ++work.result.already_copied;
        work.copied_sizes.emplace(m.uid, m.size);
        work.copied_flags.emplace(m.uid, std::move(m.flags));
      } else {
        work.todo.push_back(std::move(m));
      }
    }
  }
  for (auto uid : done)
    if (!present.count(uid)) work.gone.push_back(uid);
  work.result.deleted_at_source = static_cast<std::uint32_t>(work.gone.size());
  work.pair = std::move(pair);
  co_return work;
}

// Splits the work into batches bounded in bytes and messages.
// APPENDs a batch: as one MULTIAPPEND when offered (one commit, one fsync
// on the target instead of one per message); when the server refuses it,
// message by message, so that only the refused messages fail.
net::Task<Result<std::vector<Result<imapclient::AppendResult>>>> append_batch(
    Client& target, const std::string& mailbox, const std::vector<imapclient::AppendRequest>& requests) {
  if (requests.size() > 1 && target.has_capability("MULTIAPPEND")) {
    auto all = co_await target.multiappend(mailbox, requests);
    if (all) co_return std::vector<Result<imapclient::AppendResult>>(all->begin(), all->end());
    if (ends_the_account(all.error())) co_return all.error();
  }
  co_return co_await target.append(mailbox, requests);
}

// Copies one batch; a connection-level error is returned, per-message
// refusals are recorded in the folder result.
net::Task<Result<void>> copy_batch(source::MailSource& source, Client& target, FolderWork& work,
                                   const imapclient::SelectedMailbox& target_box, const std::vector<Planned>& batch,
                                   StateStore& state, const CopyOptions& options, Progress& progress) {
  std::vector<std::uint32_t> uids;
  for (const auto& m : batch) uids.push_back(m.uid);
  std::vector<Fetched> fetched;
  fetched.reserve(batch.size());
  const source::MailSource::MessageHandler keep = [&](source::SourceMessage& m) -> Result<void> {
    note_invalid_source_data(m, work.result);
    fetched.emplace_back(m);
    return {};
  };
  auto read = co_await source.fetch(uids, keep);
  std::size_t unreadable = 0;
  if (!read) {
    // The source refused part of the batch (a NO): what arrived is kept, the
    // rest is asked for one by one, and what still cannot be read is named.
    if (ends_the_account(read.error())) co_return read.error();
    std::set<std::uint32_t> arrived;
    for (const auto& m : fetched) arrived.insert(m.uid);
    for (auto uid : uids) {
      if (arrived.count(uid)) continue;
      const std::vector<std::uint32_t> just_this(1, uid);  // named: GCC 12 mishandles temporaries in co_await
      auto one = co_await source.fetch(just_this, keep);
      if (one) continue;
      if (ends_the_account(one.error())) co_return one.error();
      work.result.failures.push_back(MessageFailure{uid, "the source could not read it: " + one.error().describe()});
      ++unreadable;
    }
  }
  work.result.vanished += static_cast<std::uint32_t>(batch.size() - std::min(batch.size(), fetched.size() + unreadable));

  crash_point("fetched");

  // Already on a target the state file knew nothing of: recorded, not sent again.
  if (!work.on_target.empty()) {
    std::vector<CopiedMessage> there;
    auto take = [&](std::map<std::string, std::vector<std::uint32_t>>& by_hash,
                    const std::string& hash) -> std::optional<std::uint32_t> {
      auto it = by_hash.find(hash);
      if (it == by_hash.end()) return std::nullopt;
      for (auto& uids = it->second; !uids.empty();) {
        auto uid = uids.back();
        uids.pop_back();
        if (work.on_target_taken.insert(uid).second) return uid;
      }
      return std::nullopt;
    };
    std::erase_if(fetched, [&](const Fetched& m) {
      std::string sha = to_hex(m.sha256);
      auto uid = take(work.on_target, sha);
      if (!uid && source::may_be_rewritten(m.body)) {
        uid = take(work.on_target_blind, source::rewrite_blind_hash(m.body));
        if (uid) note_altered_by_target(m.uid, work.result);
      }
      if (!uid) return false;
      there.push_back(CopiedMessage{m.uid, sha, m.body.size(), *uid});
      return true;
    });
    MF_CO_CHECK(state.record_copied(work.state_id, there));
    work.result.found_on_target += static_cast<std::uint32_t>(there.size());
    work.result.already_copied += static_cast<std::uint32_t>(there.size());
    progress.add(there.size(), 0);
  }

  std::vector<imapclient::AppendRequest> requests;
  std::vector<PendingMessage> pending;
  for (auto& m : fetched) {
    imapclient::AppendRequest r{m.body, {}, m.internaldate};
    for (const auto& flag : m.flags) {
      if (imap::iequals(flag, "\\Recent")) continue;
      if (target_box.accepts_flag(flag))
        r.flags.push_back(flag);
      else
        work.result.dropped_flags.insert(flag);
    }
    requests.push_back(std::move(r));
    pending.push_back(PendingMessage{m.uid, to_hex(m.sha256), m.body.size(), work.target_floor, 0,
                                     source::may_be_rewritten(m.body) ? source::rewrite_blind_hash(m.body) : std::string()});
  }
  // Archived while the target takes the batch; recorded as copied only
  // when both are done (a crash between them is caught up on resume).
  std::vector<archive::IngestRequest> archive_requests;
  if (options.archive) archive_requests = archive_requests_of(work, fetched);
  // Exactly once: the batch is on record before the target sees it.
  MF_CO_CHECK(state.record_pending(work.state_id, pending));
  crash_point("pending-recorded");
  std::optional<ArchiveSink::Job> archiving;
  if (options.archive) archiving.emplace(options.archive->start(archive_requests, co_await net::asio::this_coro::executor));
  auto appended = co_await append_batch(target, work.pair.target.target, requests);
  crash_point("appended");
  if (archiving) {  // always awaited: the archive thread reads the fetched bytes
    auto archived = co_await archiving->get();
    if (!archived) co_return archived.error();
  }
  MF_CO_TRY(results, std::move(appended));

  std::vector<CopiedMessage> copied;
  std::vector<std::uint32_t> refused;
  std::uint64_t bytes = 0;
  bool uids_known = true;
  for (std::size_t i = 0; i < fetched.size(); ++i) {
    if (!results[i]) {
      work.result.failures.push_back(MessageFailure{fetched[i].uid, results[i].error().describe()});
      refused.push_back(fetched[i].uid);
      continue;
    }
    copied.push_back(CopiedMessage{fetched[i].uid, pending[i].sha256, fetched[i].body.size(), results[i]->uid});
    bytes += fetched[i].body.size();
    if (results[i]->uid == 0) uids_known = false;
    work.target_floor = std::max(work.target_floor, results[i]->uid + 1);
  }
  MF_CO_CHECK(state.record_copied(work.state_id, copied));
  MF_CO_CHECK(state.drop_pending(work.state_id, refused));
  crash_point("copied-recorded");
  // Without UIDPLUS the floor comes from the highest UID now in the mailbox.
  if (!uids_known && !copied.empty())
    MF_CO_CHECK(co_await target.uid_fetch(imap::SequenceSet::range(imap::SequenceSet::kStar, imap::SequenceSet::kStar),
                                          "(UID)", [&](imap::FetchData& f) -> Result<void> {
                                            if (f.uid) work.target_floor = std::max(work.target_floor, *f.uid + 1);
                                            return {};
                                          }));
  work.result.copied += static_cast<std::uint32_t>(copied.size());
  work.result.bytes += bytes;
  progress.add(fetched.size(), bytes);
  co_return Result<void>{};
}

// RFC 7889: a target that announces APPENDLIMIT=N refuses larger messages;
// they are reported as not copied instead of sent (and refused) at all.
void skip_too_large(const Client& target, FolderWork& work) {
  auto limit_text = target.capability_value("APPENDLIMIT");
  if (!limit_text) return;
  std::uint64_t limit = 0;
  auto [p, ec] = std::from_chars(limit_text->data(), limit_text->data() + limit_text->size(), limit);
  if (ec != std::errc() || limit == 0) return;
  std::erase_if(work.todo, [&](const Planned& m) {
    if (m.size <= limit) return false;
    work.result.failures.push_back(
        MessageFailure{m.uid, "too large for the target: " + std::to_string(m.size) +
                                  " bytes, its APPENDLIMIT is " + std::to_string(limit) + " bytes"});
    return true;
  });
}

// Whether a folder needs anything beyond its CREATE.
bool needs_copy(const FolderWork& work) {
  return !work.unchanged && !(work.todo.empty() && work.copied_flags.empty() && work.gone.empty());
}

net::Task<Result<void>> copy_folder(source::MailSource& source, Client& target, FolderWork& work, StateStore& state,
                                    const CopyOptions& options, Throttle& throttle, Progress& progress) {
  progress.set_folder(work.result.source);
  if (!needs_copy(work)) co_return Result<void>{};
  MF_CO_CHECK(co_await source.select(work.pair.source.name));
  MF_CO_TRY(target_box, co_await target.select(work.pair.target.target, false));
  MF_CO_TRY(recorded_validity, state.target_uidvalidity(work.state_id));
  MF_CO_CHECK(state.set_target_uidvalidity(work.state_id, target_box.uidvalidity));
  work.target_floor = std::max(target_box.uidnext, 1u);
  // Recorded target UIDs mean something only under the same UIDVALIDITY, and
  // only while the folder holds at least what was copied into it: a folder
  // made anew can get its old UIDVALIDITY back (Dovecot takes the time).
  MF_CO_TRY(copied_before, state.copied_count(work.state_id));
  bool target_lost = recorded_validity && copied_before > 0 &&
                     (*recorded_validity != target_box.uidvalidity || work.result.created ||
                      target_box.exists < static_cast<std::uint64_t>(copied_before));
  if (target_lost && !work.copied_flags.empty()) {
    // The target folder was emptied or made anew since: what was copied into
    // the old one is looked for on it by hash, and copied again if missing.
    std::vector<std::uint32_t> again;
    for (auto& [uid, flags] : work.copied_flags) {
      again.push_back(uid);
      work.todo.push_back(Planned{uid, work.copied_sizes[uid], std::move(flags)});
    }
    std::sort(work.todo.begin(), work.todo.end(), [](const Planned& a, const Planned& b) { return a.uid < b.uid; });
    MF_CO_CHECK(state.drop_copied(work.state_id, again));
    work.result.already_copied -= static_cast<std::uint32_t>(again.size());
    work.result.recopy_checked = static_cast<std::uint32_t>(again.size());
    work.copied_flags.clear();
    work.gone.clear();
  }
  bool state_knows_target = recorded_validity == target_box.uidvalidity && !target_lost;
  if (!state_knows_target && target_box.exists > 0 && !work.todo.empty()) {
    MF_CO_CHECK(co_await target.uid_fetch(imap::SequenceSet::range(1, imap::SequenceSet::kStar), "(UID BODY.PEEK[])",
                                          [&](imap::FetchData& f) -> Result<void> {
                                            const auto* body = f.section("BODY[]");
                                            if (!f.uid || !body) return {};
                                            work.on_target[to_hex(sha256(body->data.text))].push_back(*f.uid);
                                            if (source::may_be_rewritten(body->data.text))
                                              work.on_target_blind[source::rewrite_blind_hash(body->data.text)].push_back(*f.uid);
                                            return {};
                                          }));
  }
  if (state_knows_target) {
    MF_CO_TRY(pairs, state.copied_pairs(work.state_id));
    MF_CO_TRY(changed, co_await sync_flags(target, target_box, work.copied_flags, pairs));
    work.result.flags_updated = changed;
    if (options.delete_missing && !work.gone.empty()) {
      std::vector<std::uint32_t> target_uids;
      for (auto uid : work.gone)
        if (auto it = pairs.find(uid); it != pairs.end()) target_uids.push_back(it->second);
      MF_CO_CHECK(co_await expunge_on_target(target, target_uids));
      MF_CO_CHECK(state.drop_copied(work.state_id, work.gone));
      work.result.deleted = static_cast<std::uint32_t>(target_uids.size());
    }
  }
  skip_too_large(target, work);
  std::uint64_t batch_bytes = throttle.max_batch_bytes(options.batch_bytes);
  std::uint64_t batch_messages = throttle.max_batch_messages(options.batch_messages);
  if (options.shared_throttle) {
    batch_bytes = options.shared_throttle->max_batch_bytes(batch_bytes);
    batch_messages = options.shared_throttle->max_batch_messages(batch_messages);
  }
  for (const auto& batch : batches_of(work.todo, batch_bytes, batch_messages, [](const Planned& m) { return m.size; })) {
    if (stop_requested()) co_return stopped(work.result.source);
    std::uint64_t bytes = 0;
    for (const auto& m : batch) bytes += m.size;
    auto delay = throttle.admit(bytes, batch.size());
    if (options.shared_throttle) delay = std::max(delay, options.shared_throttle->admit(bytes, batch.size()));
    co_await net::sleep_for(delay);
    MF_CO_CHECK(co_await copy_batch(source, target, work, target_box, batch, state, options, progress));
  }
  co_return Result<void>{};
}

// The folders still to copy, shared by the connection pairs.
struct CopyQueue {
  std::vector<FolderWork>& work;
  std::size_t next = 0;
  std::optional<Error> fatal;  // the first error that ends the account; the others stop taking folders
};

net::Task<void> copy_worker(source::MailSource& source, Client& target, CopyQueue& queue, StateStore& state,
                            const CopyOptions& options, Throttle& throttle, Progress& progress) {
  while (!queue.fatal && queue.next < queue.work.size()) {
    FolderWork& folder = queue.work[queue.next++];
    auto copied = co_await copy_folder(source, target, folder, state, options, throttle, progress);
    if (!copied) {
      if (ends_the_account(copied.error())) {
        if (!queue.fatal) queue.fatal = copied.error();
        co_return;
      }
      folder.result.error = copied.error().describe();
    } else if (folder.snapshot && !folder.unchanged && !options.filter.active() && folder.result.error.empty() &&
               folder.result.failures.empty() && folder.result.deleted == folder.gone.size()) {
      // Fully in step (a deletion left for a later --delete is not): the next pass may skip it.
      auto recorded = state.set_snapshot(folder.state_id, folder.snapshot);
      if (!recorded && !queue.fatal) queue.fatal = recorded.error();
    }
  }
}

net::Task<Result<void>> copy_subscriptions(source::MailSource& source, Client& target, const FolderPlan& plan,
                                           MigrateResult& result) {
  auto [source_subscriptions, target_subscriptions] = co_await (source.subscriptions() && target.subscriptions());
  MF_CO_TRY(wanted, std::move(source_subscriptions));
  MF_CO_TRY(have, std::move(target_subscriptions));
  std::set<std::string> existing(have.begin(), have.end());
  for (const auto& name : wanted) {
    const FolderPair* pair = plan.find_source(name);
    if (!pair) continue;  // a subscription to a folder that does not exist or is not copied
    const MappedName* mapped = &pair->target;
    if (existing.count(mapped->target)) continue;
    auto subscribed = co_await target.subscribe(mapped->target);
    if (!subscribed) {
      if (ends_the_account(subscribed.error())) co_return subscribed.error();
      result.warnings.push_back("subscription \"" + mapped->display + "\" refused: " + subscribed.error().describe());
      continue;
    }
    result.subscribed.push_back(mapped->display);
  }
  co_return Result<void>{};
}

net::Task<Result<void>> run_migration(const source::Endpoint& from, const source::Endpoint& to, StateStore& state,
                                      const CopyOptions& options, Throttle& throttle, Progress& progress,
                                      MigrateResult& result) {
  auto executor = co_await net::asio::this_coro::executor;
  // Both logins at once: on a no-change pass they are most of the time.
  auto [opened_source, opened_target] =
      co_await (source::open_source(executor, from, &state) && source::open_session(executor, to, "target"));
  MF_CO_TRY(source, std::move(opened_source));
  MF_CO_TRY(target, std::move(opened_target));
  MF_CO_TRY(recorded, state.recorded_targets(result.account));
  MF_CO_TRY(plan, co_await plan_folders(*source, *target, options.folders, recorded));
  for (const auto& pair : plan.folders)
    if (!pair.rules_target.empty())
      result.warnings.push_back("\"" + pair.source_display + "\" goes to \"" + pair.target.display +
                                "\" as on the first pass; the folder rules now give \"" + pair.rules_target +
                                "\" (a new --state file maps anew)");

  std::vector<std::string> selectable;
  for (const auto& pair : plan.folders)
    if (pair.source.selectable()) selectable.push_back(pair.source.name);
  MF_CO_TRY(snapshots, co_await source->snapshots(selectable));
  TargetStatuses targets;  // only needed where a folder may be skipped unchanged
  if (!snapshots.empty()) {
    std::vector<std::string> existing;
    for (const auto& pair : plan.folders)
      if (pair.target_exists && snapshots.count(pair.source.name)) existing.push_back(pair.target.target);
    MF_CO_TRY(statuses, co_await target->statuses(existing, "(UIDVALIDITY MESSAGES)"));
    targets = std::move(statuses);
  }
  std::vector<FolderWork> work;
  std::uint64_t total_messages = 0, total_bytes = 0;
  for (auto& pair : plan.folders) {
    if (stop_requested()) co_return stopped(pair.source_display);
    if (!pair.source.selectable()) continue;  // a \Noselect level: CREATE of its children builds it
    std::string display = pair.source_display;
    auto scanned = co_await scan_folder(*source, *target, pair, state, result.account, from, options, snapshots, targets);
    if (!scanned) {
      if (ends_the_account(scanned.error())) co_return scanned.error();
      FolderResult failed;
      failed.source = display;
      failed.target = pair.target.display;
      failed.error = scanned.error().describe();
      result.folders.push_back(std::move(failed));
      continue;
    }
    for (const auto& m : scanned->todo) total_bytes += m.size;
    total_messages += scanned->todo.size();
    work.push_back(std::move(*scanned));
  }
  progress.set_totals(total_messages, total_bytes);
  if (options.dry_run) {
    result.dry_run = true;
    for (auto& folder : work) {
      folder.result.created = !folder.pair.target_exists;
      folder.result.planned = static_cast<std::uint32_t>(folder.todo.size());
      for (const auto& m : folder.todo) folder.result.planned_bytes += m.size;
      result.folders.push_back(std::move(folder.result));
    }
    co_return Result<void>{};
  }

  // Folders are created before the copying starts, one after the other:
  // two sessions creating siblings at once could race for their parent.
  for (auto& folder : work) {
    if (folder.pair.target_exists) continue;
    auto created = co_await target->create(folder.pair.target.target);
    if (!created) {
      if (ends_the_account(created.error())) co_return created.error();
      folder.result.error = created.error().describe();
      folder.todo.clear();
      folder.copied_flags.clear();
      folder.gone.clear();
      continue;
    }
    folder.result.created = true;
  }

  // More connection pairs copy more folders at once: the target commits
  // (and fsyncs) in several sessions in parallel.
  std::vector<std::pair<std::unique_ptr<source::MailSource>, std::unique_ptr<Client>>> extra;
  auto busy = std::count_if(work.begin(), work.end(), [](const FolderWork& f) { return needs_copy(f); });
  for (int i = 1; i < options.connections && i < busy; ++i) {
    MF_CO_TRY(more_source, co_await source::open_source(executor, from, &state));
    MF_CO_TRY(more_target, co_await source::open_session(executor, to, "target"));
    extra.emplace_back(std::move(more_source), std::move(more_target));
  }
  CopyQueue queue{work};
  net::TaskGroup workers(executor);
  workers.spawn(copy_worker(*source, *target, queue, state, options, throttle, progress));
  for (auto& [s, t] : extra) workers.spawn(copy_worker(*s, *t, queue, state, options, throttle, progress));
  co_await workers.wait();
  for (std::size_t i = 0; i < queue.next; ++i) result.folders.push_back(std::move(work[i].result));
  if (queue.fatal) co_return *queue.fatal;
  for (auto& [s, t] : extra) {
    (void)co_await s->logout();
    (void)co_await t->logout();
  }
  MF_CO_CHECK(co_await copy_subscriptions(*source, *target, plan, result));
  (void)co_await (source->logout() && target->logout());
  co_return Result<void>{};
}

}  // namespace

// Sums a per-folder count over the account.
template <class Count>
std::uint64_t sum_folders(const std::vector<FolderResult>& folders, Count count) {
  std::uint64_t n = 0;
  for (const auto& f : folders) n += count(f);
  return n;
}

std::uint64_t MigrateResult::copied() const { return sum_folders(folders, [](auto& f) { return f.copied; }); }
std::uint64_t MigrateResult::bytes() const { return sum_folders(folders, [](auto& f) { return f.bytes; }); }
std::uint64_t MigrateResult::already_copied() const {
  return sum_folders(folders, [](auto& f) { return f.already_copied; });
}
std::uint64_t MigrateResult::failed() const { return sum_folders(folders, [](auto& f) { return f.failures.size(); }); }
std::uint64_t MigrateResult::failed_folders() const {
  return sum_folders(folders, [](auto& f) { return f.error.empty() ? 0 : 1; });
}


// Adds one attempt's folder results to the run's: what an attempt copied
// (or found on the target after an earlier attempt of this run) adds up;
// "copied before" stays what the first attempt found.
void merge_attempt(MigrateResult& run, MigrateResult&& attempt, bool first) {
  for (auto& f : attempt.folders) {
    auto it = std::find_if(run.folders.begin(), run.folders.end(), [&](auto& r) { return r.source == f.source; });
    if (it == run.folders.end()) {
      run.folders.push_back(std::move(f));
      continue;
    }
    it->copied += f.copied + (first ? 0 : f.reconciled);
    it->found_on_target += f.found_on_target;
    it->recopy_checked += f.recopy_checked;
    it->bytes += f.bytes;
    it->vanished += f.vanished;
    it->flags_updated += f.flags_updated;
    it->deleted += f.deleted;
    it->created = it->created || f.created;
    it->dropped_flags.insert(f.dropped_flags.begin(), f.dropped_flags.end());
    it->failures.insert(it->failures.end(), f.failures.begin(), f.failures.end());
    it->notes.insert(it->notes.end(), f.notes.begin(), f.notes.end());
    it->error = f.error;
  }
  for (auto& s : attempt.subscribed) run.subscribed.push_back(std::move(s));
  for (auto& w : attempt.warnings) run.warnings.push_back(std::move(w));
  run.fatal = std::move(attempt.fatal);
  run.dry_run = attempt.dry_run;
}

net::Task<MigrateResult> migrate_account(const source::Endpoint& from, const source::Endpoint& to, StateStore& state,
                                         const CopyOptions& options, Progress& progress) {
  MigrateResult result;
  result.account = source::account_key(from, to);
  auto start = std::chrono::steady_clock::now();
  auto wait = options.retry_wait;
  Throttle throttle(options.max_bytes_per_second, options.max_messages_per_second);  // across retries
  for (int attempt = 0;; ++attempt) {
    MigrateResult this_attempt;
    this_attempt.account = result.account;
    auto run = co_await run_migration(from, to, state, options, throttle, progress, this_attempt);
    if (!run) this_attempt.fatal = run.error();
    merge_attempt(result, std::move(this_attempt), attempt == 0);
    // Only transient failures are retried: a wrong password stays wrong.
    if (!result.fatal || result.fatal->code != Errc::Temp || attempt >= options.retries) break;
    progress.finish();
    // The server may say how long, but not for longer than the longest wait of our own.
    wait = std::max(wait, std::min<std::chrono::milliseconds>(result.fatal->retry_after, std::chrono::minutes(1)));
    log::warn(result.fatal->describe() + "; reconnecting in " + std::to_string(wait.count()) + " ms (retry " +
              std::to_string(attempt + 1) + " of " + std::to_string(options.retries) + ")");
    result.warnings.push_back("retried after: " + result.fatal->describe());
    ++result.retries;
    co_await net::sleep_for(wait);
    wait = std::min<std::chrono::milliseconds>(wait * 2, std::chrono::minutes(1));
  }
  progress.finish();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  co_return result;
}

}  // namespace mf::migrate
