#include "compliance/export.h"

#include "compliance/checkpoint_file.h"
#include "compliance/container.h"
#include "compliance/manifest.h"
#include "core/base64.h"
#include "core/civil_time.h"
#include "core/signature.h"
#include "localmail/mboxrd.h"
#include "mime/headers.h"
#include "mime/message.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <ctime>

namespace mf::compliance {
namespace {

using json = nlohmann::json;

std::string iso(std::int64_t epoch) { return utc_text(epoch, "%Y-%m-%dT%H:%M:%SZ"); }

std::string addresses(const std::vector<mime::Address>& list) {
  std::string out;
  for (const auto& a : list) {
    if (!out.empty()) out += ", ";
    out += a.name.empty() ? a.address : a.name + " <" + a.address + ">";
  }
  return out;
}

// The header fields the manifest lists, decoded; a head GMime cannot read gives empty fields.
json header_fields(std::string_view raw) {
  auto message = mime::parse_message(raw.substr(0, mime::header_section_end(raw)));
  if (!message) return {{"from", ""}, {"to", ""}, {"subject", ""}, {"message_id", ""}};
  return {{"from", addresses(message->from)},
          {"to", addresses(message->to)},
          {"subject", message->subject},
          {"message_id", message->message_id}};
}

json placements_of(const archive::Archive::Record& r) {
  json out = json::array();
  for (const auto& p : r.placements)
    out.push_back({{"account", p.account},
                   {"folder", p.folder},
                   {"internaldate", iso(p.internaldate)},
                   {"flags", p.flags},
                   {"class", p.class_name}});
  return out;
}

const char* kReadme =
    "This is a compliance export of a mailferry archive.\n"
    "\n"
    "manifest.json  every message: number, SHA-256, size, file, header fields, places, retention, holds,\n"
    "               and its inclusion proof (RFC 9162) to the root in checkpoint.json\n"
    "manifest.csv   the same as a table, one row per place; index.xml describes it (GDPdU)\n"
    "checkpoint.json the archive's hash chain head and the root of its message tree when exported\n"
    "SHA256SUMS     the SHA-256 of every other file (sha256sum -c SHA256SUMS)\n"
    "SHA256SUMS.sig its Ed25519 signature, when the export was signed, with public_key.pem:\n"
    "               openssl pkeyutl -verify -pubin -inkey public_key.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig\n"
    "\n"
    "mailferry archive verify-export EXPORT [--public-key KEY.pem] checks all of it;\n"
    "docs/formats/export.md of mailferry says how to check it by hand.\n";

}  // namespace

const char* format_name(Format format) {
  switch (format) {
    case Format::Zip: return "zip";
    case Format::EmlDir: return "eml-dir";
    case Format::Mbox: return "mbox";
  }
  return "?";
}

Result<ExportResult> export_messages(archive::Archive& archive, const ExportRequest& request) {
  MF_TRY(writer, ExportWriter::create(request.out, request.format == Format::Zip));
  ExportResult result;
  MF_TRY(head, archive.checkpoint());
  result.checkpoint = head;
  const MerkleTree& tree = *head.tree;
  std::vector<std::int64_t> numbers = request.messages;
  std::sort(numbers.begin(), numbers.end());
  numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
  json messages = json::array();
  for (std::int64_t number : numbers) {
    MF_TRY(record, archive.record_of(number));
    if (!record || record->purged || number > head.messages) {
      result.gone.push_back(number);
      continue;
    }
    MF_TRY(raw, archive.get(number));
    std::int64_t when = record->date ? record->date
                                     : (record->placements.empty() ? 0 : record->placements.front().internaldate);
    json entry = {{"number", number},
                  {"sha256", record->sha256},
                  {"size", record->size},
                  {"date", record->date ? json(iso(record->date)) : json(nullptr)},
                  {"class", record->class_name},
                  {"retain_until", iso(record->retain_until)},
                  {"holds", record->holds},
                  {"placements", placements_of(*record)}};
    entry.update(header_fields(raw));
    if (request.format == Format::Mbox) {
      // RFC 4155 From_ line, the message mboxrd-quoted; where it lies in the
      // file is in the manifest, so it is cut out again exactly.
      const std::string file = "messages.mbox";
      MF_CHECK(writer.append(file, "From MAILER-DAEMON " + utc_text(when, "%a %b %e %H:%M:%S %Y") + "\n"));
      std::string quoted = localmail::mboxrd_escape(raw);
      entry["file"] = file;
      entry["offset"] = writer.size_of(file);
      entry["length"] = quoted.size();
      MF_CHECK(writer.append(file, quoted));
      MF_CHECK(writer.append(file, quoted.ends_with('\n') ? "\n" : "\n\n"));
    } else {
      std::string file = fmt::format("messages/{}_{:08}.eml", when ? utc_text(when, "%Y-%m-%d") : "undated", number);
      entry["file"] = file;
      MF_CHECK(writer.append(file, raw));
    }
    json path = json::array();
    for (const auto& d : tree.inclusion_proof(static_cast<std::uint64_t>(number - 1))) path.push_back(to_hex(d));
    entry["proof"] = {{"leaf_index", number - 1}, {"tree_size", head.messages}, {"path", std::move(path)}};
    messages.push_back(std::move(entry));
    ++result.messages;
    result.bytes += static_cast<std::uint64_t>(record->size);
  }
  json manifest = {{"format", kManifestFormat},
                   {"case", request.case_name},
                   {"query", request.query},
                   {"created", iso(static_cast<std::int64_t>(std::time(nullptr)))},
                   {"user", request.user},
                   {"archive", head.archive},
                   {"container", format_name(request.format)},
                   {"checkpoint", {{"event", head.event},
                                   {"hash", head.hash},
                                   {"messages", head.messages},
                                   {"messages_root", head.messages_root}}},
                   {"count", result.messages},
                   {"messages", std::move(messages)}};
  MF_CHECK(writer.append("manifest.json", manifest.dump(2, ' ', false, json::error_handler_t::replace) + "\n"));
  // What verify-export makes again from manifest.json must be what it reads,
  // so the CSV and XML are made from the JSON as written (invalid UTF-8 replaced).
  manifest = json::parse(manifest.dump(-1, ' ', false, json::error_handler_t::replace));
  MF_CHECK(writer.append("manifest.csv", manifest_csv(manifest)));
  MF_CHECK(writer.append("index.xml", manifest_index_xml(manifest)));
  MF_TRY(checkpoint, checkpoint_file(head, request.key_file));
  MF_CHECK(writer.append("checkpoint.json", checkpoint));
  MF_CHECK(writer.append("README.txt", kReadme));
  std::string sums;
  for (const auto& [name, digest] : writer.digests()) sums += digest + "  " + name + "\n";  // sha256sum's format
  MF_CHECK(writer.append("SHA256SUMS", sums));
  if (!request.key_file.empty()) {
    MF_TRY(sig, sign_ed25519(request.key_file, sums));
    MF_TRY(raw_signature, base64_decode(sig.signature));
    MF_CHECK(writer.append("SHA256SUMS.sig", raw_signature));
    MF_CHECK(writer.append("public_key.pem", sig.public_key));
  }
  MF_CHECK(writer.finish());
  return result;
}

}  // namespace mf::compliance
