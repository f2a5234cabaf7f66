// libFuzzer: archive frame headers (a torn or altered segment is input too)
// and message Date: headers.
#include "archive/frame.h"
#include "imap/date.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto header = mf::archive::decode_header(bytes)) {
    // What decodes must encode to the same bytes.
    if (mf::archive::encode_header(*header) != bytes.substr(0, mf::archive::kFrameHeaderSize)) __builtin_trap();
  }
  (void)mf::imap::parse_message_date(bytes);
  return 0;
}
