// libFuzzer: mime/'s reading of messages (every archived message passes
// through its header reader; search will pass every one through the MIME
// tree), Date: headers, glob patterns, legal-hold queries and retention
// policies.
#include "archive/glob.h"
#include "archive/hold.h"
#include "archive/policy.h"
#include "mime/date.h"
#include "mime/headers.h"
#include "mime/message.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  mf::mime::Headers headers(bytes);
  (void)headers.value("Subject");
  (void)headers.domains("To");
  (void)headers.well_formed();
  (void)mf::mime::parse_date(headers.value("Date"));
  if (auto message = mf::mime::parse_message(bytes, {.text_bytes = 1 << 16, .depth = 16})) {
    std::size_t text = 0;
    for (const auto& part : message->text_parts) text += part.text.size();
    if (text > (1 << 16)) __builtin_trap();  // the limit holds
  }
  auto half = bytes.substr(0, bytes.size() / 2);
  (void)mf::archive::glob_match(half, bytes.substr(half.size()));
  if (auto query = mf::archive::HoldQuery::parse(bytes))
    (void)query->matches({{"alice@example.org", "INBOX"}}, headers);
  if (auto policy = mf::archive::Policy::parse(bytes)) {
    std::string account = "a", folder = "f";
    (void)policy->retention(mf::archive::PlacementFacts{account, folder, headers}, 1000000000);
    (void)policy->shortens(mf::archive::Policy::standard());
  }
  return 0;
}
