#include "migrate/archive_import.h"

#include "core/stop.h"
#include "imap/date.h"
#include "localmail/store.h"
#include "migrate/batches.h"
#include "migrate/folder_map.h"
#include "source/source.h"

#include <boost/asio/this_coro.hpp>

#include <map>

namespace mf::migrate {

void ImportTally::add(const archive::IngestResult& r) {
  ++seen;
  switch (r.outcome) {
    case archive::IngestOutcome::Archived: ++archived; break;
    case archive::IngestOutcome::Deduplicated: ++deduplicated; break;
    case archive::IngestOutcome::AlreadyPresent: ++already_present; break;
    case archive::IngestOutcome::Rejected: ++rejected; break;
  }
}

namespace {

constexpr std::uint64_t kBatchMessages = 500;  // and at most --batch-mb: one ingest (one fsync) each

// One folder, batch by batch: each batch is durable in the archive before
// the next is fetched.
net::Task<Result<void>> import_folder(source::MailSource& source, const imapclient::Mailbox& box, const std::string& folder,
                                      archive::Writer& archive, std::size_t batch_bytes,
                                      ImportResult& result, Progress& progress) {
  progress.set_folder(folder);
  MF_CO_TRY(selected, co_await source.select(box.name));
  if (selected.exists == 0) co_return Result<void>{};
  struct Sized {
    std::uint32_t uid;
    std::uint64_t size;
  };
  std::vector<Sized> messages;
  MF_CO_CHECK(co_await source.summaries(false, [&](source::MessageSummary& m) -> Result<void> {
    messages.push_back({m.uid, m.size});
    return {};
  }));
  std::map<std::string, std::uint32_t> copies;  // identical messages in this folder: the n-th copy
  for (const auto& batch : batches_of(messages, batch_bytes, kBatchMessages, [](const Sized& m) { return m.size; })) {
    std::vector<std::uint32_t> uids;
    for (const auto& m : batch) uids.push_back(m.uid);
    if (stop_requested())  // a Ctrl-C: every batch before this one is durable
      co_return make_error(Errc::Stopped,
                           "stopped as asked, before the next batch; what was imported is durable: run the same "
                           "command again to continue",
                           "folder \"" + folder + "\"");
    std::vector<archive::IngestRequest> requests;
    std::vector<std::string> bodies;  // what the requests point into
    std::vector<std::string> origins;  // where each message was read, for a rejection
    MF_CO_CHECK(co_await source.fetch(uids, [&](source::SourceMessage& m) -> Result<void> {
      auto digest = sha256(m.body);
      requests.push_back(ingest_request({}, digest, result.account, folder, std::move(m.flags), m.internaldate,
                                        result.source, copies[to_hex(digest)]++));
      bodies.push_back(std::move(m.body));
      origins.push_back(m.origin.empty() ? folder + " UID " + std::to_string(m.uid) : m.origin);
      return {};
    }));
    for (std::size_t i = 0; i < requests.size(); ++i) requests[i].raw = bodies[i];
    MF_CO_TRY(results, archive.ingest(requests));
    std::uint64_t batch_raw = 0;
    for (std::size_t i = 0; i < results.size(); ++i) {
      result.tally.add(results[i]);
      batch_raw += requests[i].raw.size();
      if (results[i].outcome == archive::IngestOutcome::Rejected)
        result.rejections.push_back({origins[i], results[i].reason});
    }
    result.tally.bytes += batch_raw;
    progress.add(results.size(), batch_raw);
  }
  co_return Result<void>{};
}

net::Task<Result<void>> run_import(const source::Endpoint& from, archive::Writer& archive, std::size_t batch_bytes,
                                   ImportResult& result, Progress& progress) {
  auto executor = co_await net::asio::this_coro::executor;
  MF_CO_TRY(source, co_await source::open_source(executor, from, nullptr));
  MF_CO_TRY(boxes, co_await source->list());
  for (const auto& box : boxes) {
    if (!box.selectable()) continue;
    auto levels = folder_levels(box.name, box.delimiter);
    std::string folder = levels ? display_name(*levels) : box.name;
    auto imported = co_await import_folder(*source, box, folder, archive, batch_bytes, result, progress);
    if (!imported) {
      if (ends_the_account(imported.error())) co_return imported.error();
      result.folder_errors.push_back(folder + ": " + imported.error().describe());
    }
  }
  (void)co_await source->logout();
  if (!from.store.empty()) {
    // Counted apart from the reading: a file no folder reads shows here.
    MF_CO_TRY(store, localmail::open_store(from.store));
    MF_CO_TRY(on_disk, store->messages_on_disk());
    result.on_disk = on_disk;
  }
  co_return Result<void>{};
}

}  // namespace

net::Task<ImportResult> import_to_archive(const source::Endpoint& from, archive::Writer& archive, std::size_t batch_bytes,
                                          Progress& progress, const std::string& account) {
  ImportResult result;
  result.account = account.empty() ? source::account_name(from) : account;
  result.source = source::source_name(from);
  auto start = std::chrono::steady_clock::now();
  auto run = co_await run_import(from, archive, batch_bytes, result, progress);
  if (!run) result.fatal = run.error();
  progress.finish();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  co_return result;
}

}  // namespace mf::migrate
