#include "migrate/verify.h"

#include "core/sha256.h"
#include "imap/date.h"
#include "imap/value.h"
#include "migrate/copier.h"
#include "source/flags.h"
#include "source/message_info.h"
#include "migrate/plan.h"
#include "migrate/state.h"

#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <chrono>
#include <map>

namespace mf::migrate {
namespace {

using imapclient::Client;

// The UIDs of the messages the filter takes (read without bodies).
net::Task<Result<std::vector<std::uint32_t>>> filtered_uids(source::MailSource& source, const MessageFilter& filter) {
  std::vector<std::uint32_t> uids;
  MF_CO_CHECK(co_await source.summaries(true, [&](source::MessageSummary& m) -> Result<void> {
    std::optional<std::int64_t> date;
    if (m.internaldate)
      if (auto dt = imap::parse_date_time(*m.internaldate)) date = dt->epoch;
    if (filter.wanted(m.size, date)) uids.push_back(m.uid);
    return {};
  }));
  co_return uids;
}

net::Task<Result<std::vector<source::MessageDigest>>> read_folder(source::MailSource& source, const std::string& mailbox,
                                                          const MessageFilter& filter, Progress& progress) {
  MF_CO_TRY(selected, co_await source.select(mailbox));
  std::vector<source::MessageDigest> out;
  if (selected.exists == 0) co_return out;
  std::vector<std::uint32_t> uids;  // empty: all
  if (filter.active()) {
    MF_CO_TRY(wanted, co_await filtered_uids(source, filter));
    if (wanted.empty()) co_return out;
    uids = std::move(wanted);
  }
  MF_CO_CHECK(co_await source.fetch(uids, [&](source::SourceMessage& m) -> Result<void> {
    out.push_back(source::digest_of(m));
    progress.add(1, m.body.size());
    return {};
  }));
  co_return out;
}

}  // namespace

std::size_t VerifyResult::count(source::DifferenceKind kind) const {
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
      if (!(options.line_endings_ok && d.kind == source::DifferenceKind::LineEndingsDiffer)) return false;
  }
  return true;
}

namespace {

net::Task<Result<void>> run_verify(const source::Endpoint& from, const source::Endpoint& to, const VerifyOptions& options,
                                   Progress& progress, VerifyResult& result) {
  auto executor = co_await net::asio::this_coro::executor;
  MF_CO_TRY(source, co_await source::open_source(executor, from, nullptr));
  MF_CO_TRY(target_session, co_await source::open_session(executor, to, "target"));
  source::ImapSource target(std::move(target_session));
  // The folders where the migration put them (decided on its first pass).
  MF_CO_TRY(recorded, StateStore::recorded_targets(options.state_path, result.account));
  MF_CO_TRY(plan, co_await plan_folders(*source, target.client(), options.folders, recorded));
  for (const auto& pair : plan.folders) {
    if (!pair.source.selectable()) continue;
    source::FolderComparison folder;
    progress.set_folder(pair.source_display);
    auto source_messages = co_await read_folder(*source, pair.source.name, options.filter, progress);
    if (!source_messages) {
      if (ends_the_account(source_messages.error())) co_return with_context(source_messages.error(), "source");
      folder.error = "source: " + source_messages.error().describe();
    }
    std::vector<source::MessageDigest> target_messages;
    if (!pair.target_exists) {
      folder.target_missing = true;
    } else if (source_messages) {
      auto read = co_await read_folder(target, pair.target.target, options.filter, progress);
      if (!read) {
        if (ends_the_account(read.error())) co_return with_context(read.error(), "target");
        folder.error = "target: " + read.error().describe();
      } else {
        target_messages = std::move(*read);
      }
    }
    if (source_messages && folder.error.empty()) {
      folder = source::compare_folder(std::move(*source_messages), std::move(target_messages));
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

net::Task<VerifyResult> verify_account(const source::Endpoint& from, const source::Endpoint& to, const VerifyOptions& options,
                                       Progress& progress) {
  VerifyResult result;
  result.account = source::account_key(from, to);
  auto start = std::chrono::steady_clock::now();
  auto run = co_await run_verify(from, to, options, progress, result);
  if (!run) result.fatal = run.error();
  progress.finish();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  co_return result;
}

}  // namespace mf::migrate
