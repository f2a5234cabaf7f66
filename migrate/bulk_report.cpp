#include "migrate/report.h"

#include <fmt/format.h>

namespace mf::migrate {

std::string account_status(const MigrateResult& r) {
  return r.complete() ? "completed" : r.fatal ? "failed" : "not complete";
}

std::string bulk_text(const BulkResult& bulk) {
  std::string out = fmt::format("{:<5} {:<44} {:<12} {:>7} {:>8} {:>8} {:>10} {:>7} {:>7}\n", "line", "account", "status",
                                "folders", "copied", "before", "bytes", "failed", "time");
  std::uint64_t messages = 0, bytes = 0, before = 0, failed = 0;
  std::size_t completed = 0;
  std::string problems;
  for (const auto& a : bulk.accounts) {
    const auto& r = a.result;
    out += fmt::format("{:<5} {:<44} {:<12} {:>7} {:>8} {:>8} {:>10} {:>7} {:>7}\n", a.line, a.account,
                       account_status(r), r.folders.size(), r.copied(), r.already_copied(),
                       Progress::bytes_text(r.bytes()), r.failed(), Progress::duration_text(r.seconds));
    messages += r.copied();
    bytes += r.bytes();
    before += r.already_copied();
    failed += r.failed();
    completed += r.complete();
    if (r.complete()) continue;
    problems += fmt::format("  line {} {}:\n", a.line, a.account);
    if (r.fatal) problems += "    stopped: " + r.fatal->describe() + "\n";
    for (const auto& f : r.folders) {
      if (!f.error.empty()) problems += "    folder " + f.source + ": " + f.error + "\n";
      for (const auto& m : f.failures)
        problems += fmt::format("    {} UID {} not copied: {}\n", f.source, m.source_uid, m.reason);
    }
  }
  if (!problems.empty()) out += "\nnot complete:\n" + problems;
  out += fmt::format("\n{} accounts: {} completed, {} not; {} messages ({}) copied in {}; {} were copied before; "
                     "{} failed.\n",
                     bulk.accounts.size(), completed, bulk.accounts.size() - completed, messages,
                     Progress::bytes_text(bytes), Progress::duration_text(bulk.seconds), before, failed);
  return out;
}

nlohmann::json bulk_json(const BulkResult& bulk) {
  nlohmann::json accounts = nlohmann::json::array();
  std::uint64_t messages = 0, bytes = 0, failed = 0;
  for (const auto& a : bulk.accounts) {
    auto j = migrate_json(a.result);
    j["line"] = a.line;
    j["status"] = account_status(a.result);
    accounts.push_back(std::move(j));
    messages += a.result.copied();
    bytes += a.result.bytes();
    failed += a.result.failed();
  }
  return {{"complete", bulk.complete()}, {"seconds", bulk.seconds}, {"copied", messages},
          {"bytes", bytes},              {"failed", failed},        {"accounts", accounts}};
}

}  // namespace mf::migrate
