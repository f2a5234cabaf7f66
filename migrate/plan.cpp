#include "migrate/plan.h"

#include "imap/mutf7.h"
#include "imap/value.h"

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <algorithm>
#include <set>

namespace mf::migrate {
namespace {

using namespace net::asio::experimental::awaitable_operators;

struct Listed {
  std::vector<imapclient::Mailbox> boxes;
  std::vector<std::vector<std::string>> levels;    // as named on the server
  std::vector<std::vector<std::string>> relative;  // without the personal namespace's prefix
  std::vector<std::string> prefix;                 // that prefix's levels: {"INBOX"} for "INBOX.", else {}
  RoleFolders roles;
};

bool starts_with(const std::vector<std::string>& levels, const std::vector<std::string>& prefix) {
  return levels.size() > prefix.size() && std::equal(prefix.begin(), prefix.end(), levels.begin());
}

// RFC 2342: one server keeps every folder under "INBOX." (Courier, Cyrus),
// another at the top: names are compared and mapped without the prefix.
Result<std::vector<std::string>> prefix_levels(const imap::Namespace& ns, std::string_view side) {
  std::string prefix = ns.prefix;
  if (ns.delimiter && !prefix.empty() && prefix.back() == *ns.delimiter) prefix.pop_back();
  if (prefix.empty()) return std::vector<std::string>{};
  auto levels = folder_levels(prefix, ns.delimiter);
  if (!levels) return with_context(levels.error(), std::string(side) + " namespace \"" + ns.prefix + "\"");
  return levels;
}

Result<Listed> decode_list(std::vector<imapclient::Mailbox> boxes, std::vector<std::string> prefix,
                           std::string_view side) {
  Listed out;
  out.prefix = std::move(prefix);
  std::vector<std::string> special_use;
  for (auto& box : boxes) {
    auto levels = folder_levels(box.name, box.delimiter);
    if (!levels) return with_context(levels.error(), std::string(side) + " \"" + imap::mailbox_shown(box.name) + "\"");
    auto relative = *levels;
    if (starts_with(relative, out.prefix)) relative.erase(relative.begin(), relative.begin() + out.prefix.size());
    out.levels.push_back(std::move(*levels));
    out.relative.push_back(std::move(relative));
    special_use.push_back(box.special_use());
  }
  out.roles = find_role_folders(out.relative, special_use);
  out.boxes = std::move(boxes);
  return out;
}

// A folder's target levels: under the target's prefix, except INBOX itself
// and folders already under an "INBOX" prefix.
std::vector<std::string> with_prefix(std::vector<std::string> levels, const std::vector<std::string>& prefix) {
  if (levels == std::vector<std::string>{"INBOX"} || starts_with(levels, prefix) ||
      (prefix == std::vector<std::string>{"INBOX"} && levels.front() == "INBOX"))
    return levels;
  levels.insert(levels.begin(), prefix.begin(), prefix.end());
  return levels;
}

}  // namespace

const FolderPair* FolderPlan::find_source(const std::string& wire_name) const {
  for (const auto& f : folders)
    if (f.source.name == wire_name) return &f;
  return nullptr;
}

net::Task<Result<FolderPlan>> plan_folders(source::MailSource& source, imapclient::Client& target, const FolderRules& rules,
                                           const std::map<std::string, std::string>& recorded) {
  // Both servers at once: each answer is a round trip a no-change pass waits for.
  auto [source_list, target_list] = co_await (source.list() && target.list());
  if (!source_list) co_return with_context(source_list.error(), "source");
  if (!target_list) co_return with_context(target_list.error(), "target");
  auto [source_namespace, target_namespace] = co_await (source.personal_namespace() && target.personal_namespace());
  if (!source_namespace) co_return with_context(source_namespace.error(), "source");
  if (!target_namespace) co_return with_context(target_namespace.error(), "target");
  MF_CO_TRY(source_prefix, prefix_levels(*source_namespace, "source"));
  MF_CO_TRY(target_prefix, prefix_levels(*target_namespace, "target"));
  MF_CO_TRY(from, decode_list(std::move(*source_list), std::move(source_prefix), "source"));
  MF_CO_TRY(to, decode_list(std::move(*target_list), std::move(target_prefix), "target"));

  FolderPlan plan;
  std::set<std::string> existing;
  for (const auto& m : to.boxes) {
    if (!plan.target_delimiter && m.delimiter) plan.target_delimiter = m.delimiter;
    existing.insert(imap::iequals(m.name, "INBOX") ? "INBOX" : m.name);
  }
  for (std::size_t i = 0; i < from.boxes.size(); ++i) {
    auto levels = apply_folder_rules(rules, from.relative[i], from.roles, to.roles);
    if (!levels || levels->empty()) continue;
    auto mapped = target_name(with_prefix(std::move(*levels), to.prefix), plan.target_delimiter);
    if (!mapped) co_return with_context(mapped.error(), "\"" + imap::mailbox_shown(from.boxes[i].name) + "\"");
    std::string rules_target;
    if (auto first = recorded.find(from.boxes[i].name); first != recorded.end() && first->second != mapped->target) {
      // Decided on the first pass: the target has changed since (it now holds
      // the folders that pass made), so the rules may say otherwise now.
      auto kept = folder_levels(first->second, plan.target_delimiter);
      if (!kept) co_return with_context(kept.error(), "the state file's target folder \"" + first->second + "\"");
      rules_target = mapped->display;
      *mapped = MappedName{first->second, display_name(*kept), false};
    }
    bool exists = existing.count(mapped->target) > 0;
    plan.folders.push_back(FolderPair{std::move(from.boxes[i]), display_name(from.levels[i]), std::move(*mapped), exists,
                                      std::move(rules_target)});
  }
  std::stable_sort(plan.folders.begin(), plan.folders.end(), [](const FolderPair& a, const FolderPair& b) {
    return (a.target.target == "INBOX") > (b.target.target == "INBOX");
  });
  co_return plan;
}

}  // namespace mf::migrate
