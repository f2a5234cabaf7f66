#include "compliance/verify_export.h"

#include "archive/archive.h"
#include "compliance/checkpoint_file.h"
#include "compliance/container.h"
#include "compliance/manifest.h"
#include "core/base64.h"
#include "core/merkle.h"
#include "core/signature.h"
#include "localmail/mboxrd.h"

#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <sstream>

namespace mf::compliance {
namespace {

using json = nlohmann::json;

// The files that describe the export, read whole and checked against each other.
const std::set<std::string> kDescribing{"checkpoint.json", "manifest.json", "manifest.csv", "index.xml"};

std::optional<Digest> digest_of_hex(const std::string& hex) {
  if (hex.size() != 64) return std::nullopt;
  Digest d{};
  for (std::size_t i = 0; i < 32; ++i) {
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    d[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return d;
}

// The files SHA256SUMS lists with their sums (sha256sum's "HEX  NAME" lines).
std::map<std::string, std::string> parse_sums(const std::string& text, std::vector<std::string>& faults) {
  std::map<std::string, std::string> sums;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() < 67 || line.compare(64, 2, "  ") != 0 || !digest_of_hex(line.substr(0, 64))) {
      faults.push_back("SHA256SUMS: a line is not \"SHA256  FILE\": " + line.substr(0, 80));
      continue;
    }
    sums[line.substr(66)] = line.substr(0, 64);
  }
  return sums;
}

// One message of the manifest: its bytes, its hash, its proof.
void check_message(const ExportReader& files, const json& m, const CheckpointFile& cp,
                   std::vector<std::string>& faults) {
  std::string who = "message " + std::to_string(m.value("number", std::int64_t{0}));
  auto fault = [&](const std::string& what) { faults.push_back(who + ": " + what); };
  std::int64_t number = m.value("number", std::int64_t{0});
  std::string sha = m.value("sha256", ""), file = m.value("file", "");
  std::int64_t size = m.value("size", std::int64_t{-1});
  // In an mbox, the message is the range the manifest names, unquoted.
  bool in_mbox = m.contains("offset");
  auto read = in_mbox ? files.read(file, m.value("offset", std::uint64_t{0}), m.value("length", std::uint64_t{0}))
                      : files.read(file);
  if (!read) return fault(read.error().describe());
  if (in_mbox && read->size() != m.value("length", std::uint64_t{0})) return fault("lies beyond the end of " + file);
  std::string bytes = in_mbox ? localmail::mboxrd_unescape(*read) : std::move(*read);
  std::string actual = to_hex(sha256(bytes));
  if (actual != sha) return fault(file + " has SHA-256 " + actual + ", the manifest says " + sha);
  if (static_cast<std::int64_t>(bytes.size()) != size)
    return fault(file + " has " + std::to_string(bytes.size()) + " bytes, the manifest says " + std::to_string(size));
  const json& proof = m.value("proof", json::object());
  std::vector<Digest> path;
  for (const auto& p : proof.value("path", json::array())) {
    auto d = p.is_string() ? digest_of_hex(p.get<std::string>()) : std::nullopt;
    if (!d) return fault("its proof holds something that is not a SHA-256");
    path.push_back(*d);
  }
  auto leaf_index = proof.value("leaf_index", std::int64_t{-1}), tree_size = proof.value("tree_size", std::int64_t{-1});
  if (leaf_index != number - 1 || tree_size != cp.messages)
    return fault("its proof is for leaf " + std::to_string(leaf_index) + " of " + std::to_string(tree_size) +
                 ", not for leaf " + std::to_string(number - 1) + " of the checkpoint's " +
                 std::to_string(cp.messages));
  auto root = merkle_root_from_proof(static_cast<std::uint64_t>(leaf_index), static_cast<std::uint64_t>(tree_size),
                                     merkle_leaf_hash(archive::message_leaf(number, sha)), path);
  if (!root || to_hex(*root) != cp.messages_root)
    fault("its inclusion proof does not lead to the checkpoint's root " + cp.messages_root +
          ": it is not the archive's message " + std::to_string(number));
}

}  // namespace

Result<ExportCheck> verify_export(const std::string& path, const std::string& pinned_public_key) {
  MF_TRY(files, ExportReader::open(path));
  if (!files.has("manifest.json") || !files.has("SHA256SUMS"))
    return make_error(Errc::Corrupt, "not a mailferry export (no manifest.json or SHA256SUMS)", path);
  ExportCheck check;
  auto& faults = check.faults;

  // The key that must have signed both SHA256SUMS and the checkpoint: the
  // one given, else the one the export carries (which proves only that
  // whoever holds its private key made the export).
  std::string key = pinned_public_key;
  if (key.empty() && files.has("public_key.pem")) {
    auto carried = files.read("public_key.pem");
    if (!carried) faults.push_back(carried.error().describe());
    else key = *carried;
  }

  // 1. SHA256SUMS: signed by the key, listing every other file, each with its sum.
  MF_TRY(sums_text, files.read("SHA256SUMS"));
  if (files.has("SHA256SUMS.sig")) {
    auto signature = files.read("SHA256SUMS.sig");
    if (!signature) faults.push_back(signature.error().describe());
    else if (key.empty()) faults.push_back("SHA256SUMS.sig: no public key to check it with (no public_key.pem)");
    else if (auto ok = verify_ed25519(key, sums_text, base64_encode(*signature)); !ok)
      faults.push_back("SHA256SUMS.sig: " + ok.error().message);
    else check.is_signed = true;
  } else if (!pinned_public_key.empty()) {
    faults.push_back("the export is not signed (no SHA256SUMS.sig), but a public key was given that must have signed it");
  }
  auto sums = parse_sums(sums_text, faults);
  const std::set<std::string> unlisted{"SHA256SUMS", "SHA256SUMS.sig", "public_key.pem"};
  for (const auto& name : files.names())
    if (!unlisted.count(name) && !sums.count(name)) faults.push_back(name + ": not listed in SHA256SUMS (added later?)");
  std::map<std::string, std::string> contents;  // what the checks below read again
  // The describing files are kept for the checks below; messages and mboxes are only hashed here.
  auto digest_of = [&](const std::string& name) -> Result<Digest> {
    if (!kDescribing.count(name)) return files.sha256_of(name);
    MF_TRY(bytes, files.read(name));
    Digest digest = sha256(bytes);
    contents[name] = std::move(bytes);
    return digest;
  };
  for (const auto& [name, sum] : sums) {
    auto digest = digest_of(name);
    if (!digest) {
      faults.push_back(digest.error().describe());
      continue;
    }
    std::string actual = to_hex(*digest);
    if (actual != sum) faults.push_back(name + ": SHA-256 " + actual + ", SHA256SUMS says " + sum + ": changed");
  }

  // 2. The checkpoint: signed by the same key, the one the manifest names.
  std::optional<CheckpointFile> cp;
  if (!contents.count("checkpoint.json")) {
    faults.push_back("checkpoint.json: missing");
  } else {
    // Signed with the key when the sums are: an unsigned checkpoint in a signed export is a fault.
    auto read = read_checkpoint_file(contents["checkpoint.json"], check.is_signed ? key : pinned_public_key);
    if (!read) faults.push_back("checkpoint.json: " + read.error().message);
    else cp = *read;
    if (cp && !cp->signature_fault.empty()) faults.push_back("checkpoint.json: " + cp->signature_fault);
    if (cp && cp->messages_root.empty()) faults.push_back("checkpoint.json: no message tree root (format 1)");
  }
  auto manifest = json::parse(contents["manifest.json"], nullptr, false);
  if (!manifest.is_object() || manifest.value("format", "") != kManifestFormat || !manifest.contains("messages") ||
      !manifest["messages"].is_array()) {
    faults.push_back("manifest.json: not a manifest of format " + std::string(kManifestFormat));
    return check;
  }
  check.case_name = manifest.value("case", "");
  const json& mcp = manifest.value("checkpoint", json::object());
  if (cp) {
    check.event = cp->event;
    if (mcp.value("event", std::int64_t{-1}) != cp->event || mcp.value("hash", "") != cp->hash ||
        mcp.value("messages", std::int64_t{-1}) != cp->messages || mcp.value("messages_root", "") != cp->messages_root)
      faults.push_back("manifest.json names another checkpoint than checkpoint.json");
  }
  if (manifest.value("count", std::int64_t{-1}) != static_cast<std::int64_t>(manifest["messages"].size()))
    faults.push_back("manifest.json: count is not the number of messages it lists");

  // 3. The tables made again from the manifest, byte for byte.
  try {
    if (manifest_csv(manifest) != contents["manifest.csv"]) faults.push_back("manifest.csv: differs from manifest.json");
    if (manifest_index_xml(manifest) != contents["index.xml"]) faults.push_back("index.xml: differs from manifest.json");
  } catch (const json::exception& e) {
    faults.push_back(std::string("manifest.json: a field is missing or of the wrong type: ") + e.what());
  }

  // 4. Every message: its bytes, and its proof to the checkpoint's root.
  if (!cp) return check;
  for (const auto& m : manifest["messages"]) {
    if (!m.is_object()) {
      faults.push_back("manifest.json: an entry of messages is not an object");
      continue;
    }
    try {
      check_message(files, m, *cp, faults);
    } catch (const json::exception& e) {
      faults.push_back("manifest.json: a message entry has a field of the wrong type: " + std::string(e.what()));
    }
    ++check.messages;
  }
  return check;
}

}  // namespace mf::compliance
