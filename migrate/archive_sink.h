// Archiving during a migration (migrate --archive DIR): each batch read
// from the source is stored in the archive from the same buffers, on the
// archive's own thread, while the target takes it; the batch is recorded as
// copied only when both are done. A crash in between is caught up on the
// next run (what the target holds and the archive lacks is archived then).
// One sink serves every account of a bulk run.
#pragma once

#include "archive/archive.h"
#include "migrate/archive_import.h"
#include "migrate/state.h"
#include "net/connection.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <memory>
#include <mutex>
#include <optional>

namespace mf::migrate {

class ArchiveSink {
 public:
  using Stored = Result<std::vector<archive::IngestResult>>;
  struct Job;  // a batch being stored

  explicit ArchiveSink(archive::Writer& archive) : archive_(archive) {}
  ~ArchiveSink() { pool_.join(); }

  // Starts storing the batch (which must stay alive until finish() returns).
  std::shared_ptr<Job> start(const std::vector<archive::IngestRequest>& batch, net::asio::any_io_executor home);
  // Waits for the batch to be durable in the archive (or failed).
  net::Task<Stored> finish(std::shared_ptr<Job> job);
  // start() and finish() at once.
  net::Task<Stored> store(const std::vector<archive::IngestRequest>& batch);

  // Of these (source UID, SHA-256) messages of one folder, the UIDs the
  // archive lacks with this placement.
  net::Task<Result<std::vector<std::uint32_t>>> missing(const std::string& account, const std::string& folder,
                                                        const std::vector<CopiedMessage>& messages);

  ImportTally tally() const {
    std::lock_guard lock(mutex_);
    return tally_;
  }

 private:
  net::Task<Stored> ingest(const std::vector<archive::IngestRequest>& batch);  // on the archive's thread

  archive::Writer& archive_;
  boost::asio::thread_pool pool_{1};  // one thread: the archive is used by nobody else
  mutable std::mutex mutex_;
  ImportTally tally_;
};

}  // namespace mf::migrate
