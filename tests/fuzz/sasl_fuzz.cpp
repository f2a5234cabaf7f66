// libFuzzer: SASL messages as a server takes them apart (PLAIN,
// OAUTHBEARER, XOAUTH2); what parses must build back to the same fields.
#include "sasl/mechanisms.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace mf::sasl;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view message(reinterpret_cast<const char*>(data), size);
  if (auto plain = parse_plain(message))
    if (plain_message(*plain) != message) std::abort();
  if (auto bearer = parse_oauthbearer(message)) {
    auto again = parse_oauthbearer(oauthbearer_message(*bearer));
    if (!again || again->authzid != bearer->authzid || again->token != bearer->token) std::abort();
  }
  if (auto x = parse_xoauth2(message)) {
    auto again = parse_xoauth2(xoauth2_message(*x));
    if (!again || again->user != x->user || again->token != x->token) std::abort();
  }
  return 0;
}
