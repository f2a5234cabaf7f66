// The byte streams of IMAP COMPRESS=DEFLATE (RFC 4978): raw deflate (no
// zlib header) in both directions; every write is flushed with
// Z_SYNC_FLUSH so the server sees whole commands. No I/O.
#pragma once

#include "core/error.h"

#include <memory>
#include <string>
#include <string_view>

namespace mf::net {

class DeflateStreams {
 public:
  DeflateStreams();
  ~DeflateStreams();
  DeflateStreams(const DeflateStreams&) = delete;
  DeflateStreams& operator=(const DeflateStreams&) = delete;

  // Appends the compressed, flushed form of `plain` to `out`.
  [[nodiscard]] Result<void> compress(std::string_view plain, std::string& out);
  // Appends what `compressed` (any part of the server's stream) inflates to.
  [[nodiscard]] Result<void> decompress(std::string_view compressed, std::string& out);

 private:
  struct Streams;
  std::unique_ptr<Streams> z_;
};

}  // namespace mf::net
