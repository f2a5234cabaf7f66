#include "migrate/bulk.h"

#include "core/stop.h"
#include "imap/value.h"
#include "net/run.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

namespace mf::migrate {
namespace {

using Clock = std::chrono::steady_clock;

// "host:port" of both sides; an account on one server counts once.
std::set<std::string> servers_of(const AccountSpec& a) {
  auto key = [](const net::ServerUrl& u) {
    std::string host = u.host;
    for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return host + ":" + std::to_string(u.port);
  };
  return {key(a.from.url), key(a.to.url)};
}

std::string key_of(const AccountSpec& a) {
  return source::account_key(source::Endpoint{a.from.url, {}, {}, {}, {}}, source::Endpoint{a.to.url, {}, {}, {}, {}});
}

enum class Phase { Waiting, Running, Done };

// What the workers and the display share, under one mutex.
class Board {
 public:
  Board(const std::vector<AccountSpec>& accounts, const BulkOptions& options)
      : accounts_(accounts), options_(options), phase_(accounts.size(), Phase::Waiting),
        runs_(accounts.size()), started_(accounts.size()) {
    for (std::size_t i = 0; i < accounts.size(); ++i) {
      progress_.push_back(std::make_unique<Progress>(false));
      runs_[i].line = accounts[i].line;
      runs_[i].account = key_of(accounts[i]);
    }
  }

  // The next account whose servers have room, waiting while none has;
  // nullopt when every account is taken.
  std::optional<std::size_t> take() {
    std::unique_lock lock(mutex_);
    for (;;) {
      bool waiting = false;
      for (std::size_t i = 0; i < accounts_.size(); ++i) {
        if (phase_[i] != Phase::Waiting) continue;
        waiting = true;
        if (!has_room(i)) continue;
        phase_[i] = Phase::Running;
        started_[i] = Clock::now();
        for (const auto& s : servers_of(accounts_[i])) ++busy_[s];
        return i;
      }
      if (!waiting) return std::nullopt;
      changed_.wait(lock);
    }
  }

  void finish(std::size_t i, MigrateResult result) {
    std::lock_guard lock(mutex_);
    result.account = runs_[i].account;
    runs_[i].result = std::move(result);
    phase_[i] = Phase::Done;
    ++done_;
    if (!runs_[i].result.complete()) ++failed_;
    for (const auto& s : servers_of(accounts_[i])) --busy_[s];
    print_finished(i);
    changed_.notify_all();
  }

  Progress& progress(std::size_t i) { return *progress_[i]; }

  // Redraws the live display until every account is done.
  void display_until_done() {
    std::unique_lock lock(mutex_);
    while (done_ < accounts_.size()) {
      if (options_.display) draw();
      changed_.wait_for(lock, std::chrono::milliseconds(500));
    }
    if (options_.display) clear();
  }

  std::vector<AccountRun> results() {
    std::lock_guard lock(mutex_);
    return std::move(runs_);
  }

 private:
  bool has_room(std::size_t i) const {
    if (options_.per_host <= 0) return true;
    for (const auto& s : servers_of(accounts_[i]))
      if (auto it = busy_.find(s); it != busy_.end() && it->second >= options_.per_host) return false;
    return true;
  }

  void clear() {
    if (drawn_lines_ == 0) return;
    std::string out = "\r\033[K";
    for (int i = 1; i < drawn_lines_; ++i) out += "\033[1A\033[K";
    std::fputs(out.c_str(), stderr);
    drawn_lines_ = 0;
  }

  void draw() {
    clear();
    std::uint64_t messages = 0, bytes = 0;
    std::vector<std::string> lines;
    std::size_t running = 0;
    for (std::size_t i = 0; i < accounts_.size(); ++i) {
      auto s = progress_[i]->snapshot();
      messages += s.messages;
      bytes += s.bytes;
      if (phase_[i] != Phase::Running) continue;
      ++running;
      double elapsed = std::chrono::duration<double>(Clock::now() - started_[i]).count();
      std::string name = runs_[i].account.size() > 40 ? runs_[i].account.substr(0, 37) + "..." : runs_[i].account;
      lines.push_back(fmt::format("  {:<40} {}", name, Progress::progress_text(s, elapsed)));
    }
    double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    std::string head = fmt::format("accounts: {} of {} done ({} not complete), {} running | {} messages  {}  {}/s  {}",
                                   done_, accounts_.size(), failed_, running, messages, Progress::bytes_text(bytes),
                                   Progress::bytes_text(elapsed > 0 ? bytes / elapsed : 0),
                                   Progress::duration_text(elapsed));
    if (done_ > 0 && done_ < accounts_.size())
      head += "  ETA ~" + Progress::duration_text(elapsed / done_ * (accounts_.size() - done_));
    lines.insert(lines.begin(), head);
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i) out += (i ? "\n" : "") + lines[i].substr(0, 160);
    std::fputs(out.c_str(), stderr);
    std::fflush(stderr);
    drawn_lines_ = static_cast<int>(lines.size());
  }

  void print_finished(std::size_t i) {
    if (options_.quiet) return;
    if (options_.display) clear();
    const auto& r = runs_[i].result;
    std::string status = r.complete() ? "completed" : r.fatal ? "FAILED: " + r.fatal->describe() : "NOT COMPLETE";
    std::fprintf(stderr, "[%zu/%zu] %s: %s; %llu messages (%s) copied, %llu before, %llu failed, in %s\n", done_,
                 accounts_.size(), runs_[i].account.c_str(), status.c_str(),
                 static_cast<unsigned long long>(r.copied()), Progress::bytes_text(r.bytes()).c_str(),
                 static_cast<unsigned long long>(r.already_copied()), static_cast<unsigned long long>(r.failed()),
                 Progress::duration_text(r.seconds).c_str());
    std::fflush(stderr);
  }

  const std::vector<AccountSpec>& accounts_;
  const BulkOptions& options_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Phase> phase_;
  std::vector<AccountRun> runs_;
  std::vector<Clock::time_point> started_;
  std::vector<std::unique_ptr<Progress>> progress_;
  std::map<std::string, int> busy_;
  std::size_t done_ = 0, failed_ = 0;
  int drawn_lines_ = 0;
  Clock::time_point start_ = Clock::now();
};

MigrateResult failed_result(Error e) {
  MigrateResult r;
  r.fatal = std::move(e);
  return r;
}

MigrateResult run_account(const AccountSpec& spec, StateStore* state, const Result<void>& state_opened,
                          const BulkOptions& options, const ResolveAccount& resolve, Progress& progress) {
  if (!state_opened) return failed_result(state_opened.error());
  auto endpoints = resolve(spec);
  if (!endpoints) return failed_result(endpoints.error());
  try {
    return net::run_task(migrate_account(endpoints->first, endpoints->second, *state, options.copy, progress));
  } catch (const std::exception& e) {  // a bug: fail this account, keep the others going
    return failed_result(make_error(Errc::Io, std::string("internal error: ") + e.what()));
  }
}

void worker(Board& board, const std::vector<AccountSpec>& accounts, const BulkOptions& options,
            const ResolveAccount& resolve) {
  // Each thread has its own SQLite handle; WAL lets them commit one after another.
  auto state = StateStore::open(options.state_path);
  Result<void> opened = state ? Result<void>{} : Result<void>{with_context(state.error(), "state file")};
  while (auto i = board.take()) {
    MigrateResult result;
    if (stop_requested())  // a Ctrl-C: the accounts not begun are not begun
      result.fatal = make_error(Errc::Stopped, "not started: the run was asked to stop; run it again to continue");
    else
      result = run_account(accounts[*i], state ? &*state : nullptr, opened, options, resolve, board.progress(*i));
    board.finish(*i, std::move(result));
  }
}

}  // namespace

bool BulkResult::complete() const {
  return std::all_of(accounts.begin(), accounts.end(), [](const AccountRun& a) { return a.result.complete(); });
}

BulkResult run_bulk(const std::vector<AccountSpec>& accounts, const BulkOptions& options,
                    const ResolveAccount& resolve) {
  auto start = Clock::now();
  Board board(accounts, options);
  std::vector<std::thread> threads;
  int jobs = std::clamp<int>(options.jobs, 1, static_cast<int>(accounts.size()));
  for (int j = 0; j < jobs; ++j)
    threads.emplace_back([&] { worker(board, accounts, options, resolve); });
  board.display_until_done();
  for (auto& t : threads) t.join();
  BulkResult result;
  result.accounts = board.results();
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

}  // namespace mf::migrate
