// libFuzzer: the archive's reading of message headers (every archived
// message passes through it), glob patterns, legal-hold queries and
// retention policies.
#include "archive/headers.h"
#include "archive/hold.h"
#include "archive/policy.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  mf::archive::Headers headers(bytes);
  (void)headers.value("Subject");
  (void)headers.domains("To");
  (void)headers.well_formed();
  auto half = bytes.substr(0, bytes.size() / 2);
  (void)mf::archive::glob_match(half, bytes.substr(half.size()));
  if (auto query = mf::archive::HoldQuery::parse(bytes))
    (void)query->matches({{"alice@example.org", "INBOX"}}, headers);
  auto doc = nlohmann::json::parse(bytes, nullptr, false);
  if (auto policy = mf::archive::Policy::parse(doc)) {
    std::string account = "a", folder = "f";
    (void)policy->retention(mf::archive::PlacementFacts{account, folder, headers}, 1000000000);
    (void)policy->shortens(mf::archive::Policy::standard());
  }
  return 0;
}
