// libFuzzer: accounts files (CSV with a header, imapsync's form) and the
// server URLs in them.
#include "migrate/accounts.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)mf::migrate::parse_accounts(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
