#include "migrate/archive_sink.h"

#include "core/crash_point.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace mf::migrate {

struct ArchiveSink::Job {
  explicit Job(net::asio::any_io_executor home) : done(home, net::asio::steady_timer::time_point::max()) {}
  std::optional<Stored> result;
  net::asio::steady_timer done;  // cancelled when result is set
};

std::shared_ptr<ArchiveSink::Job> ArchiveSink::start(const std::vector<archive::IngestRequest>& batch,
                                                     net::asio::any_io_executor home) {
  auto job = std::make_shared<Job>(home);
  // A member coroutine, not a lambda: a lambda's captures would die with this frame.
  net::asio::co_spawn(pool_.get_executor(), ingest(batch), [job, home](std::exception_ptr e, Stored stored) {
    if (e) stored = make_error(Errc::Io, "archiving failed with an exception");
    net::asio::post(home, [job, stored = std::move(stored)]() mutable {
      job->result = std::move(stored);
      job->done.cancel();
    });
  });
  return job;
}

net::Task<ArchiveSink::Stored> ArchiveSink::ingest(const std::vector<archive::IngestRequest>& batch) {
  delay_point("archive");  // tests: the target finishes first
  Stored stored = archive_.ingest(batch);
  if (stored) {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < stored->size(); ++i) {
      tally_.add((*stored)[i]);
      tally_.bytes += batch[i].raw.size();
    }
  }
  co_return stored;
}

net::Task<ArchiveSink::Stored> ArchiveSink::finish(std::shared_ptr<Job> job) {
  while (!job->result) co_await job->done.async_wait(net::asio::as_tuple(net::asio::use_awaitable));
  co_return std::move(*job->result);
}

net::Task<ArchiveSink::Stored> ArchiveSink::store(const std::vector<archive::IngestRequest>& batch) {
  auto job = start(batch, co_await net::asio::this_coro::executor);
  co_return co_await finish(job);
}

net::Task<Result<std::vector<std::uint32_t>>> ArchiveSink::missing(const std::string& account,
                                                                    const std::string& folder,
                                                                    const std::vector<CopiedMessage>& messages) {
  using Missing = Result<std::vector<std::uint32_t>>;
  auto work = [&]() -> net::Task<Missing> {
    std::vector<std::uint32_t> out;
    for (const auto& m : messages) {
      archive::Placement p{account, folder, {}, 0, {}, m.source_uid};
      MF_CO_TRY(has, archive_.has_placement(m.sha256, p));
      if (!has) out.push_back(m.source_uid);
    }
    co_return out;
  };
  co_return co_await net::asio::co_spawn(pool_.get_executor(), work(), net::asio::use_awaitable);
}

}  // namespace mf::migrate
