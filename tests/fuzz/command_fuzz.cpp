// libFuzzer: client commands through the framer and the command parser.
#include "imap/command.h"
#include "imap/framer.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mf::imap::Framer::Options options;
  options.limits.max_line = 4096;
  options.limits.max_literal = 1 << 16;
  mf::imap::Framer framer(options);
  framer.feed(std::string_view(reinterpret_cast<const char*>(data), size));
  for (;;) {
    auto frame = framer.next();
    if (!frame || !frame->has_value()) return 0;
    (void)framer.awaiting_sync_literal();
    (void)mf::imap::parse_command(**frame, options.limits);
  }
}
