#include "migrate/report.h"

#include <fmt/format.h>

namespace mf::migrate {
namespace {

nlohmann::json error_json(const std::optional<Error>& e) {
  if (!e) return nullptr;
  return {{"kind", errc_name(e->code)}, {"message", e->message}, {"where", e->where}};
}

// "INBOX", or "Sent -> Gesendete Objekte" when the target name differs.
std::string pair_name(const std::string& source, const std::string& target) {
  return source == target ? source : source + " -> " + target;
}

std::string rate_text(std::uint64_t bytes, double seconds) {
  return seconds > 0 ? Progress::bytes_text(bytes / seconds) + "/s" : "-";
}

}  // namespace

std::string plan_text(const MigrateResult& r) {
  std::string out = fmt::format("{:<32} {:<32} {:>8} {:>8} {:>10}\n", "source folder", "target folder", "source",
                                "to copy", "bytes");
  std::uint64_t messages = 0, bytes = 0;
  for (const auto& f : r.folders) {
    out += fmt::format("{:<32} {:<32} {:>8} {:>8} {:>10}{}\n", f.source, f.target, f.source_messages, f.planned,
                       Progress::bytes_text(f.planned_bytes), f.created ? "  (to create)" : "");
    if (!f.error.empty()) out += "    error: " + f.error + "\n";
    messages += f.planned;
    bytes += f.planned_bytes;
  }
  out += fmt::format("\ndry run: {} messages ({}) would be copied; nothing was changed.\n", messages,
                     Progress::bytes_text(bytes));
  if (r.fatal) out += "stopped: " + r.fatal->describe() + "\n";
  return out;
}

std::string migrate_text(const MigrateResult& r) {
  if (r.dry_run) return plan_text(r);
  std::string out = fmt::format("{:<40} {:>8} {:>8} {:>8} {:>10} {:>7}\n", "folder", "source", "copied", "before",
                                "bytes", "failed");
  for (const auto& f : r.folders) {
    out += fmt::format("{:<40} {:>8} {:>8} {:>8} {:>10} {:>7}{}\n", pair_name(f.source, f.target), f.source_messages, f.copied,
                       f.already_copied, Progress::bytes_text(f.bytes), f.failures.size(),
                       f.created ? "  (created)" : "");
    if (!f.error.empty()) out += "    error: " + f.error + "\n";
    for (const auto& m : f.failures) out += fmt::format("    UID {} not copied: {}\n", m.source_uid, m.reason);
    for (const auto& n : f.notes) out += fmt::format("    UID {} copied, but {}\n", n.source_uid, n.text);
    if (!f.dropped_flags.empty()) {
      out += "    flags the target refuses (not copied):";
      for (const auto& flag : f.dropped_flags) out += " " + flag;
      out += "\n";
    }
    if (f.filtered)
      out += fmt::format("    {} messages left out by --since, --before or --max-size\n", f.filtered);
    if (f.vanished) out += fmt::format("    {} messages were expunged at the source during the run\n", f.vanished);
    if (f.deleted_at_source)
      out += f.deleted ? fmt::format("    {} messages expunged at the source were expunged on the target\n", f.deleted)
                       : fmt::format("    {} messages expunged at the source are kept on the target (--delete "
                                     "removes them)\n",
                                     f.deleted_at_source);
    if (f.flags_updated)
      out += fmt::format("    flags of {} messages copied before were updated\n", f.flags_updated);
    if (f.rematched)
      out += fmt::format("    the source renumbered this folder (new UIDVALIDITY); {} messages copied before were "
                         "found again by hash\n",
                         f.rematched);
    if (f.recopy_checked)
      out += fmt::format("    the target folder was emptied or made anew since the last run (new UIDVALIDITY): {} "
                         "messages copied before were looked for on it and copied again where missing\n",
                         f.recopy_checked);
    if (f.found_on_target)
      out += fmt::format("    {} messages were on the target already (found by SHA-256; the state file had no record "
                         "of them) and were not copied again\n",
                         f.found_on_target);
    if (f.reconciled)
      out += fmt::format("    {} messages of an interrupted run were found on the target (not copied again)\n",
                         f.reconciled);
  }
  for (const auto& w : r.warnings) out += "warning: " + w + "\n";
  out += fmt::format("\n{} messages ({}) copied in {} ({}); {} were copied before; {} failed; {} folders failed.\n",
                     r.copied(), Progress::bytes_text(r.bytes()), Progress::duration_text(r.seconds),
                     rate_text(r.bytes(), r.seconds), r.already_copied(), r.failed(), r.failed_folders());
  if (r.fatal) out += "stopped: " + r.fatal->describe() + "\n";
  return out;
}

nlohmann::json migrate_json(const MigrateResult& r) {
  nlohmann::json folders = nlohmann::json::array();
  for (const auto& f : r.folders) {
    nlohmann::json failures = nlohmann::json::array();
    for (const auto& m : f.failures) failures.push_back({{"source_uid", m.source_uid}, {"reason", m.reason}});
    nlohmann::json notes = nlohmann::json::array();
    for (const auto& n : f.notes) notes.push_back({{"source_uid", n.source_uid}, {"note", n.text}});
    folders.push_back({{"source", f.source},
                       {"target", f.target},
                       {"created", f.created},
                       {"unchanged", f.unchanged},
                       {"source_messages", f.source_messages},
                       {"copied", f.copied},
                       {"already_copied", f.already_copied},
                       {"reconciled", f.reconciled},
                       {"rematched", f.rematched},
                       {"found_on_target", f.found_on_target},
                       {"altered_by_target", f.altered_by_target},
                       {"target_replaced", f.recopy_checked > 0},
                       {"flags_updated", f.flags_updated},
                       {"deleted_at_source", f.deleted_at_source},
                       {"deleted", f.deleted},
                       {"planned", f.planned},
                       {"planned_bytes", f.planned_bytes},
                       {"vanished", f.vanished},
                       {"filtered", f.filtered},
                       {"bytes", f.bytes},
                       {"dropped_flags", f.dropped_flags},
                       {"failures", failures},
                       {"notes", notes},
                       {"error", f.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.error)}});
  }
  return {{"account", r.account},
          {"complete", r.complete()},
          {"seconds", r.seconds},
          {"copied", r.copied()},
          {"bytes", r.bytes()},
          {"already_copied", r.already_copied()},
          {"failed", r.failed()},
          {"failed_folders", r.failed_folders()},
          {"retries", r.retries},
          {"dry_run", r.dry_run},
          {"subscribed", r.subscribed},
          {"warnings", r.warnings},
          {"folders", folders},
          {"error", error_json(r.fatal)}};
}

std::string verify_text(const VerifyResult& r, const VerifyOptions& options) {
  std::string out = fmt::format("{:<40} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}\n", "folder", "source", "target",
                                "matched", "missing", "extra", "other");
  for (const auto& f : r.folders) {
    std::size_t missing = 0, extra = 0, other = 0;
    for (const auto& d : f.differences) {
      missing += d.kind == source::DifferenceKind::Missing;
      extra += d.kind == source::DifferenceKind::Extra;
      other += d.kind != source::DifferenceKind::Missing && d.kind != source::DifferenceKind::Extra;
    }
    out += fmt::format("{:<40} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}{}\n", pair_name(f.source, f.target), f.source_count,
                       f.target_count,
                       f.matched, missing, extra, other, f.target_missing ? "  (no such folder on the target)" : "");
    if (!f.error.empty()) out += "    error: " + f.error + "\n";
  }
  bool any = false;
  for (const auto& f : r.folders) {
    for (const auto& d : f.differences) {
      if (!any) out += "\ndifferences:\n";
      any = true;
      out += fmt::format("  {:<20} {}  source UID {}  target UID {}  Message-ID {}  Subject \"{}\"\n      {}\n",
                         source::difference_name(d.kind), f.source, d.source_uid ? std::to_string(d.source_uid) : "-",
                         d.target_uid ? std::to_string(d.target_uid) : "-",
                         d.message_id.empty() ? "(none)" : d.message_id, d.subject, d.detail);
    }
  }
  // The server's doing, said plainly: such a message cannot arrive byte for byte.
  std::size_t line_ends = r.count(source::DifferenceKind::LineEndingsDiffer);
  if (line_ends)
    out += fmt::format("\n{} {} only in how lines end: the target stored other line ends than the source has "
                       "(Dovecot, for one, stores \"CR CR LF\" as \"CR LF\" on APPEND). The text is the same; {}.\n",
                       line_ends, line_ends == 1 ? "message differs" : "messages differ",
                       options.line_endings_ok ? "--ignore-line-endings accepts that"
                                               : "--ignore-line-endings would accept that");
  if (r.fatal) out += "\nstopped: " + r.fatal->describe() + "\n";
  if (r.fatal)
    out += "\nverify: NOT COMPLETED; the folders above were compared before it stopped.\n";
  else
    out += r.identical(options) ? "\nverify: OK, every message is on the target with its flags and date.\n"
                                : "\nverify: DIFFERENCES found (see above).\n";
  return out;
}

nlohmann::json verify_json(const VerifyResult& r, const VerifyOptions& options) {
  nlohmann::json folders = nlohmann::json::array();
  for (const auto& f : r.folders) {
    nlohmann::json diffs = nlohmann::json::array();
    for (const auto& d : f.differences)
      diffs.push_back({{"kind", source::difference_name(d.kind)},
                       {"source_uid", d.source_uid ? nlohmann::json(d.source_uid) : nlohmann::json(nullptr)},
                       {"target_uid", d.target_uid ? nlohmann::json(d.target_uid) : nlohmann::json(nullptr)},
                       {"message_id", d.message_id},
                       {"subject", d.subject},
                       {"detail", d.detail}});
    folders.push_back({{"source", f.source},
                       {"target", f.target},
                       {"target_missing", f.target_missing},
                       {"source_messages", f.source_count},
                       {"target_messages", f.target_count},
                       {"matched", f.matched},
                       {"differences", diffs},
                       {"error", f.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.error)}});
  }
  return {{"account", r.account},
          {"identical", r.identical(options)},
          {"seconds", r.seconds},
          {"folders", folders},
          {"error", error_json(r.fatal)}};
}

}  // namespace mf::migrate
