#include "migrate/verify.h"

#include "core/sha256.h"
#include "imap/date.h"
#include "imap/value.h"
#include "migrate/copier.h"
#include "migrate/flags.h"
#include "migrate/message_info.h"
#include "migrate/plan.h"
#include "migrate/state.h"

#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <chrono>
#include <map>

namespace mf::migrate {
namespace {

using imapclient::Client;

std::string flags_text(const std::vector<std::string>& flags) {
  std::string out = "(";
  for (std::size_t i = 0; i < flags.size(); ++i) out += (i ? " " : "") + flags[i];
  return out + ")";
}

std::string date_text(const std::optional<std::int64_t>& epoch) {
  return epoch ? imap::format_date_time(imap::DateTime{*epoch, 0}) : "(none)";
}

Difference difference(DifferenceKind kind, const MessageDigest* s, const MessageDigest* t, std::string detail = {}) {
  const MessageDigest& named = s ? *s : *t;
  return Difference{kind, s ? s->uid : 0, t ? t->uid : 0, named.message_id, named.subject, std::move(detail)};
}

// Matches unmatched source and target messages by a key; matched pairs go to on_pair.
template <class Key, class OnPair>
void match_by(std::vector<const MessageDigest*>& sources, std::vector<const MessageDigest*>& targets, Key key,
              OnPair on_pair) {
  std::multimap<std::string, const MessageDigest*> by_key;
  for (const auto* t : targets) by_key.emplace(key(*t), t);
  std::vector<const MessageDigest*> left;
  for (const auto* s : sources) {
    auto k = key(*s);
    auto it = k.empty() ? by_key.end() : by_key.find(k);
    if (it == by_key.end()) {
      left.push_back(s);
      continue;
    }
    on_pair(*s, *it->second);
    by_key.erase(it);
  }
  sources = std::move(left);
  targets.clear();
  for (auto& [k, t] : by_key) targets.push_back(t);
  std::sort(targets.begin(), targets.end(), [](auto* a, auto* b) { return a->uid < b->uid; });
}

MessageDigest digest_of(const SourceMessage& m) {
  MessageDigest d;
  d.uid = m.uid;
  d.sha256 = to_hex(sha256(m.body));
  d.blind_sha256 = line_ending_blind_hash(m.body);
  d.rewrite_sha256 = rewrite_blind_hash(m.body);
  d.size = m.body.size();
  d.flags = normalized_flags(m.flags);
  if (!m.internaldate.empty())
    if (auto dt = imap::parse_date_time(m.internaldate)) d.internaldate = dt->epoch;
  auto info = read_message_info(m.body);
  d.message_id = std::move(info.message_id);
  d.subject = std::move(info.subject);
  return d;
}

// The UIDs of the messages the filter takes (read without bodies).
net::Task<Result<std::vector<std::uint32_t>>> filtered_uids(MailSource& source, const MessageFilter& filter) {
  std::vector<std::uint32_t> uids;
  MF_CO_CHECK(co_await source.summaries(true, [&](MessageSummary& m) -> Result<void> {
    std::optional<std::int64_t> date;
    if (m.internaldate)
      if (auto dt = imap::parse_date_time(*m.internaldate)) date = dt->epoch;
    if (filter.wanted(m.size, date)) uids.push_back(m.uid);
    return {};
  }));
  co_return uids;
}

net::Task<Result<std::vector<MessageDigest>>> read_folder(MailSource& source, const std::string& mailbox,
                                                          const MessageFilter& filter, Progress& progress) {
  MF_CO_TRY(selected, co_await source.select(mailbox));
  std::vector<MessageDigest> out;
  if (selected.exists == 0) co_return out;
  std::vector<std::uint32_t> uids;  // empty: all
  if (filter.active()) {
    MF_CO_TRY(wanted, co_await filtered_uids(source, filter));
    if (wanted.empty()) co_return out;
    uids = std::move(wanted);
  }
  MF_CO_CHECK(co_await source.fetch(uids, [&](SourceMessage& m) -> Result<void> {
    out.push_back(digest_of(m));
    progress.add(1, m.body.size());
    return {};
  }));
  co_return out;
}

}  // namespace

std::string_view difference_name(DifferenceKind kind) {
  switch (kind) {
    case DifferenceKind::Missing: return "missing";
    case DifferenceKind::Extra: return "extra";
    case DifferenceKind::ContentDiffers: return "content-differs";
    case DifferenceKind::LineEndingsDiffer: return "line-endings-differ";
    case DifferenceKind::RewrittenByTarget: return "rewritten-by-target";
    case DifferenceKind::FlagsDiffer: return "flags-differ";
    case DifferenceKind::DateDiffers: return "internaldate-differs";
  }
  return "?";
}

FolderComparison compare_folder(std::vector<MessageDigest> source, std::vector<MessageDigest> target) {
  FolderComparison out;
  out.source_count = source.size();
  out.target_count = target.size();
  auto by_uid = [](auto& a, auto& b) { return a.uid < b.uid; };
  std::sort(source.begin(), source.end(), by_uid);
  std::sort(target.begin(), target.end(), by_uid);
  std::vector<const MessageDigest*> s, t;
  for (const auto& m : source) s.push_back(&m);
  for (const auto& m : target) t.push_back(&m);

  std::vector<Difference> metadata;
  match_by(s, t, [](const MessageDigest& m) { return m.sha256; },
           [&](const MessageDigest& a, const MessageDigest& b) {
             ++out.matched;
             if (!same_flags(a.flags, b.flags))
               metadata.push_back(difference(DifferenceKind::FlagsDiffer, &a, &b,
                                             "source " + flags_text(a.flags) + " target " + flags_text(b.flags)));
             if (a.internaldate != b.internaldate)
               metadata.push_back(difference(DifferenceKind::DateDiffers, &a, &b,
                                             "source " + date_text(a.internaldate) + " target " +
                                                 date_text(b.internaldate)));
           });
  match_by(s, t, [](const MessageDigest& m) { return m.blind_sha256; },
           [&](const MessageDigest& a, const MessageDigest& b) {
             out.differences.push_back(difference(
                 DifferenceKind::LineEndingsDiffer, &a, &b,
                 "same text, line endings differ: source " + std::to_string(a.size) + " bytes, target " +
                     std::to_string(b.size) + " bytes (servers may store CR CR LF as CR LF)"));
           });
  match_by(s, t, [](const MessageDigest& m) { return m.rewrite_sha256; },
           [&](const MessageDigest& a, const MessageDigest& b) {
             out.differences.push_back(difference(
                 DifferenceKind::RewrittenByTarget, &a, &b,
                 "the target changed bytes servers are known to rewrite (a CR inside a line, 8-bit header bytes): "
                 "source " + std::to_string(a.size) + " bytes, target " + std::to_string(b.size) + " bytes"));
           });
  match_by(s, t, [](const MessageDigest& m) { return m.message_id; },
           [&](const MessageDigest& a, const MessageDigest& b) {
             out.differences.push_back(difference(DifferenceKind::ContentDiffers, &a, &b,
                                                  "same Message-ID, different bytes: source " + a.sha256.substr(0, 12) +
                                                      " (" + std::to_string(a.size) + " bytes), target " +
                                                      b.sha256.substr(0, 12) + " (" + std::to_string(b.size) +
                                                      " bytes)"));
           });
  for (const auto* m : s)
    out.differences.push_back(difference(DifferenceKind::Missing, m, nullptr, "not on the target"));
  for (const auto* m : t)
    out.differences.push_back(difference(DifferenceKind::Extra, nullptr, m, "only on the target"));
  for (auto& d : metadata) out.differences.push_back(std::move(d));
  return out;
}

std::size_t VerifyResult::count(DifferenceKind kind) const {
  std::size_t n = 0;
  for (const auto& f : folders)
    for (const auto& d : f.differences) n += d.kind == kind;
  return n;
}

bool VerifyResult::identical(const VerifyOptions& options) const {
  if (fatal) return false;
  for (const auto& f : folders) {
    if (!f.error.empty() || f.target_missing) return false;
    for (const auto& d : f.differences)
      if (!(options.line_endings_ok && d.kind == DifferenceKind::LineEndingsDiffer)) return false;
  }
  return true;
}

namespace {

net::Task<Result<void>> run_verify(const Endpoint& from, const Endpoint& to, const VerifyOptions& options,
                                   Progress& progress, VerifyResult& result) {
  auto executor = co_await net::asio::this_coro::executor;
  MF_CO_TRY(source, co_await open_source(executor, from, nullptr));
  MF_CO_TRY(target_session, co_await open_session(executor, to, "target"));
  ImapSource target(std::move(target_session));
  // The folders where the migration put them (decided on its first pass).
  MF_CO_TRY(recorded, StateStore::recorded_targets(options.state_path, result.account));
  MF_CO_TRY(plan, co_await plan_folders(*source, target.client(), options.folders, recorded));
  for (const auto& pair : plan.folders) {
    if (!pair.source.selectable()) continue;
    FolderComparison folder;
    progress.set_folder(pair.source_display);
    auto source_messages = co_await read_folder(*source, pair.source.name, options.filter, progress);
    if (!source_messages) {
      if (source_messages.error().code == Errc::Temp) co_return with_context(source_messages.error(), "source");
      folder.error = "source: " + source_messages.error().describe();
    }
    std::vector<MessageDigest> target_messages;
    if (!pair.target_exists) {
      folder.target_missing = true;
    } else if (source_messages) {
      auto read = co_await read_folder(target, pair.target.target, options.filter, progress);
      if (!read) {
        if (read.error().code == Errc::Temp) co_return with_context(read.error(), "target");
        folder.error = "target: " + read.error().describe();
      } else {
        target_messages = std::move(*read);
      }
    }
    if (source_messages && folder.error.empty()) {
      folder = compare_folder(std::move(*source_messages), std::move(target_messages));
      folder.target_missing = !pair.target_exists;
    }
    folder.source = pair.source_display;
    folder.target = pair.target.display;
    result.folders.push_back(std::move(folder));
  }
  (void)co_await source->logout();
  (void)co_await target.logout();
  co_return Result<void>{};
}

}  // namespace

net::Task<VerifyResult> verify_account(const Endpoint& from, const Endpoint& to, const VerifyOptions& options,
                                       Progress& progress) {
  VerifyResult result;
  result.account = account_key(from, to);
  auto start = std::chrono::steady_clock::now();
  auto run = co_await run_verify(from, to, options, progress, result);
  if (!run) result.fatal = run.error();
  progress.finish();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  co_return result;
}

}  // namespace mf::migrate
