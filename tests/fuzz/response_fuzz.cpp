// libFuzzer: server responses through the framer and the response parser.
// The first byte picks the chunk size, so frames split at every place.
#include "imap/framer.h"
#include "imap/response.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::size_t chunk = data[0] % 64 + 1;
  mf::imap::Framer::Options options;
  options.limits.max_line = 4096;
  options.limits.max_literal = 1 << 16;
  options.server_responses = true;
  mf::imap::Framer framer(options);
  for (std::size_t pos = 1; pos < size; pos += chunk) {
    framer.feed(std::string_view(reinterpret_cast<const char*>(data) + pos, std::min(chunk, size - pos)));
    for (;;) {
      auto frame = framer.next();
      if (!frame) return 0;
      if (!frame->has_value()) break;
      (void)mf::imap::parse_response(**frame, options.limits);
    }
  }
  return 0;
}
