#include "migrate/plan.h"

#include "imap/value.h"

#include <algorithm>
#include <set>

namespace mf::migrate {

net::Task<Result<FolderPlan>> plan_folders(imapclient::Client& source, imapclient::Client& target) {
  auto source_list = co_await source.list();
  if (!source_list) co_return with_context(source_list.error(), "source");
  auto target_list = co_await target.list();
  if (!target_list) co_return with_context(target_list.error(), "target");

  FolderPlan plan;
  std::set<std::string> existing;
  for (const auto& m : *target_list) {
    if (!plan.target_delimiter && m.delimiter) plan.target_delimiter = m.delimiter;
    existing.insert(imap::iequals(m.name, "INBOX") ? "INBOX" : m.name);
  }
  for (auto& m : *source_list) {
    auto mapped = map_folder(m.name, m.delimiter, plan.target_delimiter);
    if (!mapped) co_return with_context(mapped.error(), "\"" + m.name + "\"");
    bool exists = existing.count(mapped->target) > 0;
    plan.folders.push_back(FolderPair{std::move(m), std::move(*mapped), exists});
  }
  std::stable_sort(plan.folders.begin(), plan.folders.end(), [](const FolderPair& a, const FolderPair& b) {
    return (a.target.target == "INBOX") > (b.target.target == "INBOX");
  });
  co_return plan;
}

}  // namespace mf::migrate
