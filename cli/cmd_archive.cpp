// mailferry archive: import, verify, get, stats (docs/archive.md). Every
// command that reads or changes the archive leaves an audit event in its
// hash chain.
#include "archive/archive.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "compliance/checkpoint_file.h"
#include "core/atomic_file.h"
#include "core/file_system.h"
#include "core/log.h"
#include "migrate/archive_import.h"
#include "migrate/message_filter.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>

namespace mf::cli {
bool seal_archive(archive::Archive& a, bool active, int level) {
  auto started = std::chrono::steady_clock::now();
  auto sealed = a.seal(active, level);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!sealed) {
    log::error("archive seal: " + sealed.error().describe() + " (what was sealed before stays sealed; the rest is "
               "as it was)");
    (void)audit(a, "seal", {{"error", sealed.error().describe()}});
    return false;
  }
  if (sealed->segments == 0 && !active) return true;  // nothing full yet: nothing to say
  using migrate::Progress;
  std::cout << fmt::format("sealed {} segments into packs: {} -> {} ({} of mail and events) in {}\n", sealed->segments,
                           Progress::bytes_text(sealed->bytes_before), Progress::bytes_text(sealed->bytes_after),
                           Progress::bytes_text(sealed->raw_bytes), Progress::duration_text(seconds));
  return audit(a, "seal", {{"segments", sealed->segments}, {"bytes_before", sealed->bytes_before},
                           {"bytes_after", sealed->bytes_after}, {"raw_bytes", sealed->raw_bytes}, {"level", level}});
}

namespace {

using nlohmann::json;

}  // namespace

std::unique_ptr<archive::Archive> open_archive(const std::string& dir, Access access) {
  std::vector<std::string> notes;
  // A reader without write access (a read-only copy, a read-only mount, an
  // auditor's account) opens it read-only rather than fail on the lock file.
  bool read_only = access == Access::Read && (::access(dir.c_str(), W_OK) != 0 ||
                                              ::access((dir + "/archive.db").c_str(), W_OK) != 0) &&
                   ::access((dir + "/archive.db").c_str(), R_OK) == 0;
  if (access != Access::Read && ::access((dir + "/archive.db").c_str(), F_OK) == 0 &&
      (::access(dir.c_str(), W_OK) != 0 || ::access((dir + "/archive.db").c_str(), W_OK) != 0)) {
    log::error("archive: " + dir + " is read-only to " + os_user() + ", and this command changes it (on a read-only "
               "archive: search, get, export, verify, stats, audit, checkpoint, hold list, policy show)");
    return nullptr;
  }
  auto opened = read_only ? archive::Archive::open_read_only(dir, os_user())
                          : archive::Archive::open(dir, os_user(), access == Access::Create, &notes);
  for (const auto& n : notes) log::warn("archive: " + n);
  if (!opened) {
    log::error("archive: " + opened.error().describe());
    return nullptr;
  }
  if (read_only)
    log::info("archive: " + dir + " is read-only to " + os_user() + ": opened for reading only; what is read is "
              "recorded in " + read_only_audit_log());
  return std::move(*opened);
}

std::string read_only_audit_log() {
  const char* path = std::getenv("MAILFERRY_AUDIT_LOG");
  return path && *path ? std::string(path) : state_dir() + "/audit.jsonl";
}

// One line appended to the reader's audit log, fsynced before the command says anything.
static Result<void> append_to_audit_log(const std::string& path, const std::string& line) {
  std::error_code ec;
  std::filesystem::create_directories(directory_of(path), ec);
  int fd = file_system().open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return make_error(Errc::Io, std::string("cannot open the audit log: ") + std::strerror(errno), path);
  struct stat st {};
  off_t end = ::fstat(fd, &st) == 0 ? st.st_size : 0;
  bool ok = file_system().pwrite(fd, line.data(), line.size(), end) == static_cast<ssize_t>(line.size()) &&
            file_system().fsync(fd) == 0;
  int err = errno;
  file_system().close(fd);
  if (!ok) return make_error(err == ENOSPC ? Errc::NoSpace : Errc::Io,
                             std::string("cannot write the audit log: ") + std::strerror(err), path);
  return {};
}

bool audit(archive::Archive& a, const std::string& command, json details) {
  Result<void> recorded;
  if (a.read_only()) {
    // What the archive was when it was read: its last event and that event's hash.
    std::error_code ec;
    json entry = {{"time", static_cast<std::int64_t>(std::time(nullptr))},
                  {"user", os_user()},
                  {"command", command},
                  {"archive", std::filesystem::absolute(a.dir(), ec).string()},
                  {"details", details}};
    auto [seq, hash] = a.chain_head();
    entry["archive_event"] = {{"seq", seq}, {"hash", hash}};
    recorded = append_to_audit_log(read_only_audit_log(),
                                   entry.dump(-1, ' ', false, json::error_handler_t::replace) + "\n");
  } else {
    recorded = a.audit(command, details.dump(-1, ' ', false, json::error_handler_t::replace));
  }
  if (!recorded) log::error("archive: cannot record the audit event: " + recorded.error().describe());
  return bool(recorded);
}

namespace {

struct ImportArgs {
  std::string dir, account;
  EndpointOptions source;
  std::size_t batch_megabytes = 16;
};

int run_import(const ImportArgs& args) {
  auto from = resolve_source(args.source);
  if (!from) {
    log::error(from.error().describe());
    return exit_code_for(from.error());
  }
  auto a = open_archive(args.dir, Access::Create);
  if (!a) return kExitLocal;
  migrate::Progress progress(!args.source.quiet && ::isatty(2));
  auto result = run_task(migrate::import_to_archive(*from, *a, args.batch_megabytes << 20, progress, args.account));
  const auto& t = result.tally;
  std::cout << fmt::format("import of {} ({} folders failed)\n", result.source, result.folder_errors.size());
  for (const auto& e : result.folder_errors) std::cout << "  folder failed: " << e << "\n";
  for (const auto& [where, why] : result.rejections) std::cout << "  rejected: " << where << ": " << why << "\n";
  std::cout << fmt::format("seen {} = archived {} + deduplicated {} + already present {} + rejected {}; {} in {}\n",
                           t.seen, t.archived, t.deduplicated, t.already_present, t.rejected,
                           migrate::Progress::bytes_text(t.bytes), migrate::Progress::duration_text(result.seconds));
  if (result.on_disk)
    std::cout << (result.all_read() ? fmt::format("on disk {} messages, every one seen\n", *result.on_disk)
                                    : fmt::format("on disk {} messages: {} were NOT READ (files no folder of this "
                                                  "layout reads)\n",
                                                  *result.on_disk, *result.on_disk - t.seen));
  if (result.fatal) std::cout << "stopped: " << result.fatal->describe() << "\n";
  json report = {{"source", result.source},       {"account", result.account},
                 {"on_disk", result.on_disk ? json(*result.on_disk) : json(nullptr)},
                 {"seen", t.seen},                {"archived", t.archived},
                 {"deduplicated", t.deduplicated}, {"already_present", t.already_present},
                 {"rejected", t.rejected},        {"bytes", t.bytes},
                 {"complete", result.complete()}, {"folder_errors", result.folder_errors},
                 {"error", result.fatal ? json(result.fatal->describe()) : json(nullptr)}};
  if (!audit(*a, "import", report)) return kExitLocal;
  if (!seal_archive(*a, false, archive::kPackLevel)) return kExitLocal;
  // The archive is durable either way; a search index left behind is named and made good by the next search.
  if (auto indexed = update_search_index(*a, args.source.quiet); !indexed)
    log::warn("archive import: the search index is behind the archive: " + indexed.error().describe());
  if (!write_json_report(args.source.json_path, report)) return kExitLocal;
  if (result.fatal) return exit_code_for(*result.fatal);
  return result.complete() ? kExitOk : kExitDifferences;
}

// A checkpoint taken earlier must still hold: its event has its hash, the
// messages up to it have the tree root it names, and its signature matches
// (against the pinned public key when one is given).
void check_checkpoint(archive::Archive& a, const std::string& file, const std::string& public_key_file,
                      std::vector<archive::Fault>& faults) {
  auto fault = [&](std::string what) { faults.push_back({"checkpoint", file, std::move(what)}); };
  auto text = read_file(file);
  if (!text) return fault(text.error().describe());
  std::string pinned;
  if (!public_key_file.empty()) {
    auto key = read_file(public_key_file);
    if (!key) return fault(key.error().describe());
    pinned = *key;
  }
  auto cp = compliance::read_checkpoint_file(*text, pinned);
  if (!cp) return fault(cp.error().message);
  if (!cp->signature_fault.empty()) fault(cp->signature_fault);
  auto hash = a.event_hash(cp->event);
  if (!hash) return fault(hash.error().describe());
  if (!*hash) return fault("event " + std::to_string(cp->event) + " is gone from the archive");
  if (**hash != cp->hash)
    return fault("event " + std::to_string(cp->event) + " has hash " + **hash + ", the checkpoint says " + cp->hash +
                 ": history was rewritten");
  if (cp->messages_root.empty()) return;  // a checkpoint of format 1 names no tree
  auto tree = a.message_tree(cp->messages);
  if (!tree) return fault(tree.error().describe());
  if (to_hex(tree->root()) != cp->messages_root)
    fault("the messages 1.." + std::to_string(cp->messages) + " have the tree root " + to_hex(tree->root()) +
          ", the checkpoint says " + cp->messages_root + ": a message was changed");
}

int run_checkpoint(const std::string& dir, const std::string& out, const std::string& key_file) {
  auto a = open_archive(dir, Access::Read);
  if (!a) return kExitLocal;
  auto head = a->checkpoint();
  if (!head) {
    log::error("archive checkpoint: " + head.error().describe());
    return kExitLocal;
  }
  auto file = compliance::checkpoint_file(*head, key_file);
  if (!file) {
    log::error("archive checkpoint: " + file.error().describe());
    return exit_code_for(file.error());
  }
  auto written = write_file_atomically(out, *file);
  if (!written) {
    log::error(written.error().describe());
    return kExitLocal;
  }
  std::cout << fmt::format("checkpoint of event {} ({}) written to {}{}\n", head->event, head->hash, out,
                           key_file.empty() ? "" : ", signed");
  return audit(*a, "checkpoint", {{"event", head->event}, {"out", out}, {"signed", !key_file.empty()}}) ? kExitOk
                                                                                                     : kExitLocal;
}

int run_verify_archive(const std::string& dir, const std::string& json_path, const std::string& checkpoint,
                       const std::string& public_key) {
  auto a = open_archive(dir, Access::Read);
  if (!a) return kExitLocal;
  auto faults = a->verify();
  if (!faults) {
    log::error("archive verify: " + faults.error().describe());
    return kExitLocal;
  }
  if (!checkpoint.empty()) check_checkpoint(*a, checkpoint, public_key, *faults);
  json list = json::array();
  for (const auto& f : *faults) {
    std::cout << fmt::format("FAULT {:<8} {}: {}\n", f.kind, f.where, f.what);
    list.push_back({{"kind", f.kind}, {"where", f.where}, {"what", f.what}});
  }
  auto stats = a->stats();
  // Recorded before the verdict is printed: "OK" is said only of a
  // verification the audit trail holds (a full disk makes it exit 5, not OK).
  // A damaged archive may refuse the event; the faults say why.
  bool recorded = audit(*a, "verify", {{"faults", faults->size()}});
  std::string counts = fmt::format("{} messages, {} events", stats ? stats->messages : 0, stats ? stats->events : 0);
  if (!faults->empty())
    std::cout << fmt::format("archive verify: {} FAULTS (see above)\n", faults->size());
  else if (recorded)
    std::cout << "archive verify: OK (" << counts << "; every frame, the catalog and the hash chain check out)\n";
  else
    std::cout << "archive verify: NOT RECORDED: every frame, the catalog and the hash chain check out (" << counts
              << "), but the audit trail could not take the verification (see the error above)\n";
  if (!write_json_report(json_path, {{"ok", faults->empty()}, {"recorded", recorded}, {"faults", list}}))
    return kExitLocal;
  if (!faults->empty()) return kExitDifferences;
  return recorded ? kExitOk : kExitLocal;
}

int run_get(const std::string& dir, std::int64_t number, const std::string& message_id, const std::string& out) {
  auto a = open_archive(dir, Access::Read);
  if (!a) return kExitLocal;
  if (!message_id.empty()) {
    auto found = a->find_by_message_id(message_id);
    if (!found || !*found) {
      log::error("archive: no message with Message-ID " + message_id);
      (void)audit(*a, "get", {{"message_id", message_id}, {"result", "not found"}});
      return kExitDifferences;
    }
    number = **found;
  }
  auto raw = a->get(number);
  json details = {{"message", number}, {"result", raw ? "read" : raw.error().describe()}};
  if (!audit(*a, "get", details)) return kExitLocal;  // no read without its audit entry
  if (!raw) {
    log::error("archive: " + raw.error().describe());
    return raw.error().code == Errc::NotFound ? kExitDifferences : kExitLocal;
  }
  if (out.empty()) {
    std::cout << *raw << std::flush;
    return kExitOk;
  }
  auto written = write_file_atomically(out, *raw);
  if (!written) {
    log::error(written.error().describe());
    return kExitLocal;
  }
  return kExitOk;
}

int run_stats(const std::string& dir, const std::string& json_path) {
  auto a = open_archive(dir, Access::Read);
  if (!a) return kExitLocal;
  auto s = a->stats();
  if (!s) {
    log::error("archive stats: " + s.error().describe());
    return kExitLocal;
  }
  using migrate::Progress;
  double ratio = s->raw_bytes ? static_cast<double>(s->stored_bytes) / static_cast<double>(s->raw_bytes) : 0;
  std::cout << fmt::format("messages (unique)  {}\nbodies (unique)    {}\nplacements         {}\nraw bytes          {}\n"
                           "stored bytes       {}\n"
                           "stored / raw       {:.3f}\ndedup savings      {} (placed {} as {} unique)\n"
                           "not parsed         {}\nevents             {}\npurged             {}\n",
                           s->messages, s->bodies, s->placements, Progress::bytes_text(s->raw_bytes),
                           Progress::bytes_text(s->stored_bytes), ratio,
                           Progress::bytes_text(s->placed_bytes - s->raw_bytes), Progress::bytes_text(s->placed_bytes),
                           Progress::bytes_text(s->raw_bytes), s->unparsed, s->events, s->purged);
  json accounts = json::array();
  for (const auto& [account, counts] : s->accounts) {
    std::cout << fmt::format("  {:<40} {:>8} placements {:>10}\n", account, counts.first,
                             Progress::bytes_text(counts.second));
    accounts.push_back({{"account", account}, {"placements", counts.first}, {"bytes", counts.second}});
  }
  if (!audit(*a, "stats", {})) return kExitLocal;
  json report = {{"messages", s->messages},         {"placements", s->placements}, {"raw_bytes", s->raw_bytes},
                 {"stored_bytes", s->stored_bytes}, {"ratio", ratio},              {"placed_bytes", s->placed_bytes},
                 {"unparsed", s->unparsed},         {"events", s->events},         {"purged", s->purged},
                 {"bodies", s->bodies},
                 {"accounts", accounts}};
  return write_json_report(json_path, report) ? kExitOk : kExitLocal;
}

int run_seal(const std::string& dir, int level) {
  auto a = open_archive(dir, Access::Write);
  if (!a) return kExitLocal;
  return seal_archive(*a, true, level) ? kExitOk : kExitLocal;
}

int run_rebuild(const std::string& dir) {
  auto rebuilt = archive::Archive::rebuild(dir);
  if (!rebuilt) {
    log::error("archive rebuild: " + rebuilt.error().describe());
    return kExitLocal;
  }
  for (const auto& n : rebuilt->notes) std::cout << n << "\n";
  for (const auto& d : rebuilt->damage) std::cout << "damaged: " << d << "\n";
  if (!rebuilt->damage.empty())
    std::cout << "archive rebuild: INCOMPLETE, " << rebuilt->damage.size()
              << " damaged places skipped; every intact frame was kept (archive verify names what is missing)\n";
  auto a = open_archive(dir, Access::Write);
  if (!a || !audit(*a, "rebuild", {{"notes", rebuilt->notes}, {"damage", rebuilt->damage}})) return kExitLocal;
  return rebuilt->damage.empty() ? kExitOk : kExitDifferences;
}

int run_audit(const std::string& dir, const std::string& since_text, const std::string& json_path) {
  std::int64_t since = 0;
  if (!since_text.empty()) {
    auto parsed = migrate::parse_filter_date(since_text);
    if (!parsed) {
      log::error(parsed.error().describe());
      return kExitUsage;
    }
    since = *parsed;
  }
  auto a = open_archive(dir, Access::Read);
  if (!a) return kExitLocal;
  auto events = a->events("audit", since);
  if (!events) {
    log::error("archive audit: " + events.error().describe());
    return kExitLocal;
  }
  json list = json::array();
  for (const auto& text : *events) {
    auto e = json::parse(text);
    char when[32];
    std::time_t t = e.value("time", 0ll);
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    json details = e;
    for (const char* k : {"seq", "time", "prev", "type", "user", "command"}) details.erase(k);
    std::cout << fmt::format("{:>7} {} {:<10} {:<8} {}\n", e.value("seq", 0ll), when, e.value("user", ""),
                             e.value("command", ""), details.dump(-1, ' ', false, json::error_handler_t::replace));
    list.push_back(e);
  }
  if (!write_json_report(json_path, list)) return kExitLocal;
  return audit(*a, "audit", {{"since", since}, {"listed", events->size()}}) ? kExitOk : kExitLocal;
}

}  // namespace

void add_archive_command(CLI::App& app, std::function<void(int)> set_exit) {
  auto* cmd = app.add_subcommand("archive", "a compressed, deduplicated, tamper-evident archive of mail");
  cmd->require_subcommand(1);

  auto import_args = std::make_shared<ImportArgs>();
  auto* import = cmd->add_subcommand("import", "archive every message of a source (IMAP, POP3, Maildir, mbox, .eml)");
  import->add_option("--archive", import_args->dir, "the archive's directory (made if missing)")->required();
  import->add_option("source", import_args->source.from_url,
                     "imap(s)://USER@HOST, pop3(s)://USER@HOST, maildir:/PATH, mbox:/PATH or eml:/DIR")
      ->required();
  add_source_options(*import, import_args->source);
  import->add_option("--account", import_args->account,
                     "the account the messages are filed under (account: in searches, policies and holds); "
                     "default: user@host, or for local files their path");
  import->add_option("--batch-mb", import_args->batch_megabytes, "megabytes read and stored per batch")
      ->check(CLI::Range(1, 1024));
  import->callback([import_args, set_exit] { set_exit(run_import(*import_args)); });

  struct VerifyArgs {
    std::string dir, json_path, checkpoint, public_key;
  };
  auto verify_args = std::make_shared<VerifyArgs>();
  auto* verify = cmd->add_subcommand("verify", "re-read every frame and check the catalog and the hash chain");
  verify->add_option("--archive", verify_args->dir, "the archive's directory")->required();
  verify->add_option("--json", verify_args->json_path, "write the faults as JSON to this file");
  verify->add_option("--checkpoint", verify_args->checkpoint,
                     "also check that the history this checkpoint saw is unchanged (archive checkpoint)");
  verify->add_option("--public-key", verify_args->public_key, "the PEM public key the checkpoint must be signed with");
  verify->callback([=] {
    set_exit(run_verify_archive(verify_args->dir, verify_args->json_path, verify_args->checkpoint,
                                verify_args->public_key));
  });

  struct CheckpointArgs {
    std::string dir, out, key;
  };
  auto cp_args = std::make_shared<CheckpointArgs>();
  auto* checkpoint = cmd->add_subcommand("checkpoint", "export the hash chain's head (signed with --key) to keep elsewhere");
  checkpoint->add_option("--archive", cp_args->dir, "the archive's directory")->required();
  checkpoint->add_option("--out", cp_args->out, "the checkpoint file to write")->required();
  checkpoint->add_option("--key", cp_args->key, "Ed25519 private key (PEM) to sign it with");
  checkpoint->callback([=] { set_exit(run_checkpoint(cp_args->dir, cp_args->out, cp_args->key)); });

  struct GetArgs {
    std::string dir, message_id, out;
    std::int64_t number = 0;
  };
  auto get_args = std::make_shared<GetArgs>();
  auto* get = cmd->add_subcommand("get", "write a message's raw bytes (after checking its hash)");
  get->add_option("--archive", get_args->dir, "the archive's directory")->required();
  auto* number = get->add_option("number", get_args->number, "the message's number (archive stats, the JSON reports)");
  auto* mid = get->add_option("--message-id", get_args->message_id, "the message with this Message-ID header");
  number->excludes(mid);
  get->add_option("--out", get_args->out, "write to this file instead of stdout");
  get->callback([get_args, number, mid, set_exit] {
    if (number->count() == 0 && mid->count() == 0) {
      log::error("archive get: give a message number or --message-id");
      set_exit(kExitUsage);
      return;
    }
    set_exit(run_get(get_args->dir, get_args->number, get_args->message_id, get_args->out));
  });

  auto rebuild_dir = std::make_shared<std::string>();
  auto* rebuild = cmd->add_subcommand("rebuild", "recreate archive.db from the segments alone (the old one is kept)");
  rebuild->add_option("--archive", *rebuild_dir, "the archive's directory")->required();
  rebuild->callback([=] { set_exit(run_rebuild(*rebuild_dir)); });

  auto seal_dir = std::make_shared<std::string>();
  auto seal_level = std::make_shared<int>(archive::kPackLevel);
  auto* seal = cmd->add_subcommand("seal", "rewrite the segments, the one being written too, as packs: "
                                           "smaller, read as fast (docs/archive.md)");
  seal->add_option("--archive", *seal_dir, "the archive's directory")->required();
  seal->add_option("--level", *seal_level, "zstd level of the packs (19 by default; 9 is 20x faster, 8 % larger)")
      ->check(CLI::Range(1, 22));
  seal->callback([=] { set_exit(run_seal(*seal_dir, *seal_level)); });

  struct AuditArgs {
    std::string dir, since, json_path;
  };
  auto audit_args = std::make_shared<AuditArgs>();
  auto* audit_cmd = cmd->add_subcommand("audit", "list the audit events: who ran which command on the archive, when");
  audit_cmd->add_option("--archive", audit_args->dir, "the archive's directory")->required();
  audit_cmd->add_option("--since", audit_args->since, "only events at or after this (YYYY-MM-DD, UTC)");
  audit_cmd->add_option("--json", audit_args->json_path, "write the events as JSON to this file");
  audit_cmd->callback([=] { set_exit(run_audit(audit_args->dir, audit_args->since, audit_args->json_path)); });

  auto stats_dir = std::make_shared<std::string>();
  auto stats_json = std::make_shared<std::string>();
  auto* stats = cmd->add_subcommand("stats", "messages, placements, sizes, compression and dedup savings, by account");
  stats->add_option("--archive", *stats_dir, "the archive's directory")->required();
  stats->add_option("--json", *stats_json, "write the figures as JSON to this file");
  stats->callback([=] { set_exit(run_stats(*stats_dir, *stats_json)); });

  add_archive_retention_commands(*cmd, set_exit);
  add_reindex_command(*cmd, set_exit);
  add_export_commands(*cmd, set_exit);
}

}  // namespace mf::cli
