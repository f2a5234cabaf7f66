// mailferry archive policy | hold | purge (docs/archive.md): retention
// classes and rules, legal holds, and removing what has expired. Each is
// an event in the archive's chain and leaves an audit event.
#include "archive/archive.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "core/atomic_file.h"
#include "core/log.h"
#include "migrate/progress.h"

#include <fmt/format.h>

#include <ctime>
#include <iostream>

namespace mf::cli {
namespace {

using nlohmann::json;

int failed(const std::string& what, const Error& e) {
  log::error(what + ": " + e.describe());
  return e.code == Errc::Usage ? kExitUsage : e.code == Errc::NotFound ? kExitDifferences : kExitLocal;
}

int run_policy_show(const std::string& dir, const std::string& json_path) {
  auto a = open_archive(dir, Access::Read);
  if (!a) return kExitLocal;
  auto policy = a->policy();
  if (!policy) return failed("archive policy", policy.error());
  std::cout << policy->json_text(2) << "\n";
  if (!audit(*a, "policy show", {})) return kExitLocal;
  return write_json_report(json_path, json::parse(policy->json_text())) ? kExitOk : kExitLocal;
}

int run_policy_set(const std::string& dir, const std::string& file) {
  auto text = read_file(file);
  if (!text) return failed("archive policy set", text.error());
  auto policy = archive::Policy::parse(*text);
  if (!policy) return failed("archive policy set: " + file, policy.error());
  auto a = open_archive(dir, Access::Write);
  if (!a) return kExitLocal;
  auto raised = a->set_policy(*policy);
  json details = {{"file", file}, {"result", raised ? "set" : raised.error().describe()}};
  if (raised) details["raised"] = *raised;
  if (!audit(*a, "policy set", details)) return kExitLocal;
  if (!raised) return failed("archive policy set", raised.error());
  std::cout << fmt::format("policy set from {}; {} messages are now kept longer\n", file, *raised);
  return kExitOk;
}

// --account and --folder are query terms too: one way to say what a hold holds.
std::string hold_query(const std::string& account, const std::string& folder, const std::string& query) {
  std::string q;
  if (!account.empty()) q += "account:\"" + account + "\"";
  if (!folder.empty()) q += std::string(q.empty() ? "" : " ") + "folder:\"" + folder + "\"";
  if (!query.empty()) q += std::string(q.empty() ? "" : " ") + query;
  return q;
}

int run_hold_add(const std::string& dir, const std::string& name, const std::string& query) {
  auto a = open_archive(dir, Access::Write);
  if (!a) return kExitLocal;
  auto held = a->add_hold(name, query);
  json details = {{"case", name}, {"query", query}, {"result", held ? "placed" : held.error().describe()}};
  if (held) details["messages"] = *held;
  if (!audit(*a, "hold add", details)) return kExitLocal;
  if (!held) return failed("archive hold add", held.error());
  std::cout << fmt::format("hold \"{}\" placed ({}): {} messages held now, and any archived later that match\n", name,
                           query, *held);
  return kExitOk;
}

int run_hold_release(const std::string& dir, const std::string& name) {
  auto a = open_archive(dir, Access::Write);
  if (!a) return kExitLocal;
  auto released = a->release_hold(name);
  if (!audit(*a, "hold release", {{"case", name}, {"result", released ? "released" : released.error().describe()}}))
    return kExitLocal;
  if (!released) return failed("archive hold release", released.error());
  std::cout << fmt::format("hold \"{}\" released\n", name);
  return kExitOk;
}

int run_hold_list(const std::string& dir, const std::string& json_path) {
  auto a = open_archive(dir, Access::Read);
  if (!a) return kExitLocal;
  auto holds = a->holds();
  if (!holds) return failed("archive hold list", holds.error());
  json list = json::array();
  if (holds->empty()) std::cout << "no holds in place\n";
  for (const auto& h : *holds) {
    std::cout << fmt::format("{:<24} since {} by {:<10} {:>8} messages  {}\n", h.name, utc_date(h.since), h.user,
                             h.messages, h.query);
    list.push_back({{"case", h.name}, {"query", h.query}, {"user", h.user}, {"since", h.since},
                    {"messages", h.messages}});
  }
  if (!audit(*a, "hold list", {{"holds", holds->size()}})) return kExitLocal;
  return write_json_report(json_path, list) ? kExitOk : kExitLocal;
}

int run_purge(const std::string& dir, bool dry_run, const std::string& json_path) {
  auto a = open_archive(dir, Access::Write);
  if (!a) return kExitLocal;
  auto plan = a->purge(dry_run);
  json report = {{"dry_run", dry_run}};
  if (plan)
    report.update({{"expired", plan->expired},
                   {"held", plan->held},
                   {"purged", dry_run ? 0 : plan->messages},
                   {"to_purge", plan->messages},
                   {"bytes", plan->bytes},
                   {"segments_compacted", plan->segments_compacted},
                   {"stored_bytes_freed", plan->stored_bytes_freed}});
  else
    report["error"] = plan.error().describe();
  if (!audit(*a, dry_run ? "purge --dry-run" : "purge", report)) return kExitLocal;
  if (!plan) return failed("archive purge", plan.error());
  using migrate::Progress;
  std::cout << fmt::format("{} messages past their retention; {} of them on hold, kept\n", plan->expired, plan->held);
  if (dry_run)
    std::cout << fmt::format("would purge {} messages ({}); nothing changed (--dry-run)\n", plan->messages,
                             Progress::bytes_text(plan->bytes));
  else
    std::cout << fmt::format("purged {} messages ({}), a tombstone for each in the chain; {} segments compacted, "
                             "{} freed\n",
                             plan->messages, Progress::bytes_text(plan->bytes), plan->segments_compacted,
                             Progress::bytes_text(plan->stored_bytes_freed));
  return write_json_report(json_path, report) ? kExitOk : kExitLocal;
}

}  // namespace

void add_archive_retention_commands(CLI::App& archive_cmd, std::function<void(int)> set_exit) {
  struct Args {
    std::string dir, file, json_path, name, account, folder, query;
    bool dry_run = false;
  };
  auto args = std::make_shared<Args>();
  auto archive_option = [&](CLI::App& c) {
    c.add_option("--archive", args->dir, "the archive's directory")->required();
  };

  auto* policy = archive_cmd.add_subcommand("policy", "retention classes and the rules that assign them");
  policy->require_subcommand(1);
  auto* show = policy->add_subcommand("show", "print the policy in force (JSON)");
  archive_option(*show);
  show->add_option("--json", args->json_path, "also write it to this file");
  show->callback([=] { set_exit(run_policy_show(args->dir, args->json_path)); });
  auto* set = policy->add_subcommand("set", "replace the policy (classes may be lengthened, never shortened)");
  archive_option(*set);
  set->add_option("file", args->file, "the policy, JSON (docs/archive.md)")->required();
  set->callback([=] { set_exit(run_policy_set(args->dir, args->file)); });

  auto* hold = archive_cmd.add_subcommand("hold", "legal holds: messages no purge removes");
  hold->require_subcommand(1);
  auto* add = hold->add_subcommand("add", "place a hold for a case on an account, a folder or a query");
  archive_option(*add);
  add->add_option("--case", args->name, "the case's name")->required();
  auto* account = add->add_option("--account", args->account, "every message this account holds");
  auto* folder = add->add_option("--folder", args->folder, "every message in folders matching this (glob)");
  auto* query = add->add_option("--query", args->query,
                                "field:value terms, all of which must match: from:, to:, subject:, message-id:, "
                                "account:, folder:");
  add->callback([=] {
    if (account->count() + folder->count() + query->count() == 0) {
      log::error("archive hold add: give --account, --folder or --query");
      set_exit(kExitUsage);
      return;
    }
    set_exit(run_hold_add(args->dir, args->name, hold_query(args->account, args->folder, args->query)));
  });
  auto* list = hold->add_subcommand("list", "the holds in place and how many messages each holds");
  archive_option(*list);
  list->add_option("--json", args->json_path, "also write them as JSON to this file");
  list->callback([=] { set_exit(run_hold_list(args->dir, args->json_path)); });
  auto* release = hold->add_subcommand("release", "release a case's hold");
  archive_option(*release);
  release->add_option("--case", args->name, "the case's name")->required();
  release->callback([=] { set_exit(run_hold_release(args->dir, args->name)); });

  auto* purge = archive_cmd.add_subcommand("purge", "remove messages past their retention that no hold keeps");
  archive_option(*purge);
  purge->add_flag("--dry-run", args->dry_run, "only count what would be purged");
  purge->add_option("--json", args->json_path, "write the figures as JSON to this file");
  purge->callback([=] { set_exit(run_purge(args->dir, args->dry_run, args->json_path)); });
}

}  // namespace mf::cli
