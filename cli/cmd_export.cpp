// mailferry archive export and archive verify-export (docs/archive.md,
// docs/formats/export.md): the messages a query finds, byte for byte, with
// a manifest and the proof that each is the archive's; and the check of
// such an export with nothing but the export and a public key.
#include "cli/commands.h"
#include "cli/common.h"
#include "compliance/export.h"
#include "compliance/verify_export.h"
#include "core/atomic_file.h"
#include "core/log.h"
#include "search/query.h"

#include <fmt/format.h>

#include <iostream>
#include <limits>

namespace mf::cli {
namespace {

using nlohmann::json;

struct ExportArgs {
  std::string dir, out, format = "zip", case_name, key_file;
  std::vector<std::string> query;
};

int run_export(const ExportArgs& args) {
  std::string query;
  for (const auto& w : args.query) query += (query.empty() ? "" : " ") + w;
  auto a = open_archive(args.dir, Access::Read);
  if (!a) return kExitLocal;
  if (auto caught_up = update_search_index(*a, false); !caught_up) {
    log::error("archive export: the search index: " + caught_up.error().describe());
    return exit_code_for(caught_up.error());
  }
  auto found = search::search(args.dir, query, search::Sort::Oldest, std::numeric_limits<std::size_t>::max());
  json details = {{"case", args.case_name}, {"query", query}, {"out", args.out}, {"format", args.format}};
  if (!found) {
    details["error"] = found.error().describe();
    (void)audit(*a, "export", details);
    log::error("archive export: " + found.error().describe());
    return found.error().code == Errc::Usage ? kExitUsage : kExitLocal;
  }
  compliance::ExportRequest request{args.out,
                                    args.format == "mbox"      ? compliance::Format::Mbox
                                    : args.format == "eml-dir" ? compliance::Format::EmlDir
                                                               : compliance::Format::Zip,
                                    args.case_name,
                                    query,
                                    os_user(),
                                    args.key_file,
                                    {}};
  for (const auto& hit : found->hits) request.messages.push_back(hit.number);
  auto done = compliance::export_messages(*a, request);
  if (done) {
    details.update({{"messages", done->messages},
                    {"bytes", done->bytes},
                    {"checkpoint_event", done->checkpoint.event},
                    {"messages_root", done->checkpoint.messages_root},
                    {"signed", !args.key_file.empty()},
                    {"gone", done->gone}});
  } else {
    details["error"] = done.error().describe();
  }
  // The export is in place only now; its audit event says what went out, to whom it was handed is the caller's.
  if (!audit(*a, "export", details)) return kExitLocal;
  if (!done) {
    log::error("archive export: " + done.error().describe());
    return exit_code_for(done.error());
  }
  for (auto n : done->gone) log::warn(fmt::format("archive export: message {} was purged meanwhile, not exported", n));
  if (done->messages == 0)
    std::cout << fmt::format("archive export: 0 messages: the query matched none; {} holds the empty manifest and the "
                             "checkpoint of event {}\n",
                             args.out, done->checkpoint.event);
  else
    std::cout << fmt::format("archive export: {} messages ({} bytes) to {} ({}), proven against the checkpoint of "
                             "event {} (message tree root {}){}\n",
                             done->messages, done->bytes, args.out, args.format, done->checkpoint.event,
                             done->checkpoint.messages_root, args.key_file.empty() ? ", NOT signed" : ", signed");
  return kExitOk;
}

int run_verify_export(const std::string& path, const std::string& public_key_file) {
  std::string key;
  if (!public_key_file.empty()) {
    auto read = read_file(public_key_file);
    if (!read) {
      log::error("archive verify-export: " + read.error().describe());
      return kExitUsage;
    }
    key = *read;
  }
  auto check = compliance::verify_export(path, key);
  if (!check) {
    log::error("archive verify-export: " + check.error().describe());
    return check.error().code == Errc::NotFound ? kExitUsage : kExitDifferences;
  }
  for (const auto& f : check->faults) std::cout << "FAULT " << f << "\n";
  if (!check->faults.empty()) {
    std::cout << fmt::format("archive verify-export: {} FAULTS in {} (see above)\n", check->faults.size(), path);
    return kExitDifferences;
  }
  std::string who = !check->is_signed          ? "NOT signed: this detects damage, not a forger who recomputes the sums"
                    : public_key_file.empty() ? "signed by the key it carries (give --public-key to pin whose it is)"
                                              : "signed by " + public_key_file;
  std::cout << fmt::format("archive verify-export: OK: {} messages{} of case \"{}\", each byte-identical to what the "
                           "archive's checkpoint of event {} commits to; {}\n",
                           check->messages, check->messages == 0 ? " (an empty export)" : "", check->case_name,
                           check->event, who);
  return kExitOk;
}

}  // namespace

void add_export_commands(CLI::App& archive_cmd, std::function<void(int)> set_exit) {
  auto args = std::make_shared<ExportArgs>();
  auto* cmd = archive_cmd.add_subcommand(
      "export", "hand the messages a query finds to an auditor: byte for byte, with a manifest and proofs");
  cmd->add_option("--archive", args->dir, "the archive's directory")->required();
  cmd->add_option("--out", args->out, "the export to make (a zip file, or a directory for eml-dir and mbox)")
      ->required();
  cmd->add_option("--format", args->format, "zip (default), eml-dir (a directory of .eml files) or mbox")
      ->check(CLI::IsMember({"zip", "eml-dir", "mbox"}));
  cmd->add_option("--case", args->case_name, "the case this export is for (in the manifest and the audit log)");
  cmd->add_option("--key", args->key_file, "sign the export with this Ed25519 private key (PEM)");
  cmd->add_option("query", args->query, "a search query (docs/search.md); none: every message");
  cmd->callback([args, set_exit] { set_exit(run_export(*args)); });

  auto path = std::make_shared<std::string>();
  auto key = std::make_shared<std::string>();
  auto* verify = archive_cmd.add_subcommand(
      "verify-export", "check an export with nothing but the export: every byte, the manifest and the proofs");
  verify->add_option("export", *path, "the export (zip file or directory)")->required();
  verify->add_option("--public-key", *key, "the PEM public key the export must be signed with");
  verify->callback([=] { set_exit(run_verify_export(*path, *key)); });
}

}  // namespace mf::cli
