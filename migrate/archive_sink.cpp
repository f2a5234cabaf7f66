#include "migrate/archive_sink.h"

#include "core/crash_point.h"


namespace mf::migrate {

ArchiveSink::Job ArchiveSink::start(const std::vector<archive::IngestRequest>& batch,
                                    net::asio::any_io_executor home) {
  return lane_.start(home, [this, &batch] { return ingest(batch); });
}

ArchiveSink::Stored ArchiveSink::ingest(const std::vector<archive::IngestRequest>& batch) {
  delay_point("archive");  // tests: the target finishes first
  Stored stored = archive_.ingest(batch);
  if (stored) {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < stored->size(); ++i) {
      tally_.add((*stored)[i]);
      tally_.bytes += batch[i].raw.size();
    }
  }
  return stored;
}

net::Task<ArchiveSink::Stored> ArchiveSink::store(const std::vector<archive::IngestRequest>& batch) {
  co_return co_await lane_.run([this, &batch] { return ingest(batch); });
}

net::Task<Result<std::vector<std::uint32_t>>> ArchiveSink::missing(const std::string& account,
                                                                    const std::string& folder,
                                                                    const std::vector<CopiedMessage>& messages) {
  co_return co_await lane_.run([&]() -> Result<std::vector<std::uint32_t>> {
    std::vector<std::uint32_t> out;
    for (const auto& m : messages) {
      archive::Placement p{account, folder, {}, 0, {}, m.source_uid};
      MF_TRY(has, archive_.has_placement(m.sha256, p));
      if (!has) out.push_back(m.source_uid);
    }
    return out;
  });
}

}  // namespace mf::migrate
