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
#include "net/offload.h"

#include <mutex>

namespace mf::migrate {

class ArchiveSink {
 public:
  using Stored = Result<std::vector<archive::IngestResult>>;
  using Job = net::Pending<Stored>;  // a batch being stored: get() waits until it is durable (or failed)

  explicit ArchiveSink(archive::Writer& archive) : archive_(archive) {}

  // Starts storing the batch (which must stay alive until the job's get() returns).
  Job start(const std::vector<archive::IngestRequest>& batch, net::asio::any_io_executor home);
  // start() and get() at once.
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
  Stored ingest(const std::vector<archive::IngestRequest>& batch);  // on the lane

  archive::Writer& archive_;
  mutable std::mutex mutex_;
  ImportTally tally_;
  net::OffloadLane lane_;  // one thread: this process's archive is used by nobody else (last: joined first)
};

}  // namespace mf::migrate
