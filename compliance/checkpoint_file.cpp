#include "compliance/checkpoint_file.h"

#include "core/signature.h"

#include <nlohmann/json.hpp>

namespace mf::compliance {

using json = nlohmann::json;

Result<std::string> checkpoint_file(const archive::Archive::Checkpoint& head, const std::string& key_file) {
  // What is signed is the compact JSON of every field but the signature and the key (sorted keys).
  json cp = {{"format", "mailferry-archive-checkpoint/2"}, {"archive", head.archive},   {"event", head.event},
             {"hash", head.hash},       {"messages", head.messages}, {"messages_root", head.messages_root},
             {"time", head.time}};
  if (!key_file.empty()) {
    MF_TRY(sig, sign_ed25519(key_file, cp.dump()));
    cp["signature"] = sig.signature;
    cp["public_key"] = sig.public_key;
  }
  return cp.dump(2) + "\n";
}

Result<CheckpointFile> read_checkpoint_file(const std::string& text, const std::string& pinned_key) {
  auto cp = json::parse(text, nullptr, false);
  auto bad = [](std::string what) { return make_error(Errc::Corrupt, "checkpoint: " + what); };
  if (!cp.is_object() || !cp.contains("event") || !cp.contains("hash") || !cp["event"].is_number_integer() ||
      !cp["hash"].is_string())
    return bad("not a checkpoint file");
  std::string format = cp.value("format", "");
  if (format != "mailferry-archive-checkpoint/1" && format != "mailferry-archive-checkpoint/2")
    return bad("unknown format \"" + format + "\"");
  CheckpointFile out;
  try {
    out.event = cp["event"].get<std::int64_t>();
    out.hash = cp["hash"].get<std::string>();
    out.messages = cp.value("messages", std::int64_t{0});
    out.time = cp.value("time", std::int64_t{0});
    out.archive = cp.value("archive", "");
    out.messages_root = cp.value("messages_root", "");
  } catch (const json::exception& e) {
    return bad(std::string("a field has the wrong type: ") + e.what());
  }
  if (format == "mailferry-archive-checkpoint/2" && out.messages_root.size() != 64) return bad("no messages_root");
  if (cp.contains("signature")) {
    std::string key = pinned_key.empty() ? cp.value("public_key", "") : pinned_key;
    json body = cp;
    body.erase("signature");
    body.erase("public_key");
    auto ok = cp["signature"].is_string() ? verify_ed25519(key, body.dump(), cp["signature"].get<std::string>())
                                          : Result<void>(make_error(Errc::Corrupt, "the signature is not text"));
    if (ok) out.is_signed = true;
    else out.signature_fault = "signature: " + ok.error().message;
  } else if (!pinned_key.empty()) {
    out.signature_fault = "not signed, but a public key was given that must have signed it";
  }
  return out;
}

}  // namespace mf::compliance
