#include "migrate/plan.h"

#include "imap/value.h"

#include <algorithm>
#include <set>

namespace mf::migrate {
namespace {

struct Listed {
  std::vector<imapclient::Mailbox> boxes;
  std::vector<std::vector<std::string>> levels;
  RoleFolders roles;
};

Result<Listed> decode_list(std::vector<imapclient::Mailbox> boxes, std::string_view side) {
  Listed out;
  std::vector<std::string> special_use;
  for (auto& box : boxes) {
    auto levels = folder_levels(box.name, box.delimiter);
    if (!levels) return with_context(levels.error(), std::string(side) + " \"" + box.name + "\"");
    out.levels.push_back(std::move(*levels));
    special_use.push_back(box.special_use());
  }
  out.roles = find_role_folders(out.levels, special_use);
  out.boxes = std::move(boxes);
  return out;
}

}  // namespace

const FolderPair* FolderPlan::find_source(const std::string& wire_name) const {
  for (const auto& f : folders)
    if (f.source.name == wire_name) return &f;
  return nullptr;
}

net::Task<Result<FolderPlan>> plan_folders(imapclient::Client& source, imapclient::Client& target,
                                           const FolderRules& rules) {
  auto source_list = co_await source.list();
  if (!source_list) co_return with_context(source_list.error(), "source");
  auto target_list = co_await target.list();
  if (!target_list) co_return with_context(target_list.error(), "target");
  MF_CO_TRY(from, decode_list(std::move(*source_list), "source"));
  MF_CO_TRY(to, decode_list(std::move(*target_list), "target"));

  FolderPlan plan;
  std::set<std::string> existing;
  for (const auto& m : to.boxes) {
    if (!plan.target_delimiter && m.delimiter) plan.target_delimiter = m.delimiter;
    existing.insert(imap::iequals(m.name, "INBOX") ? "INBOX" : m.name);
  }
  for (std::size_t i = 0; i < from.boxes.size(); ++i) {
    auto levels = apply_folder_rules(rules, from.levels[i], from.roles, to.roles);
    if (!levels) continue;
    auto mapped = target_name(*levels, plan.target_delimiter);
    if (!mapped) co_return with_context(mapped.error(), "\"" + from.boxes[i].name + "\"");
    bool exists = existing.count(mapped->target) > 0;
    plan.folders.push_back(FolderPair{std::move(from.boxes[i]), display_name(from.levels[i]), std::move(*mapped), exists});
  }
  std::stable_sort(plan.folders.begin(), plan.folders.end(), [](const FolderPair& a, const FolderPair& b) {
    return (a.target.target == "INBOX") > (b.target.target == "INBOX");
  });
  co_return plan;
}

}  // namespace mf::migrate
