// A zstd dictionary as the archive stores it, digested once for
// decompression: digesting 112 KB again for every frame of a few hundred
// bytes cost more than decompressing the frame.
#pragma once

#include <zstd.h>

#include <memory>
#include <string>

namespace mf::archive {

struct Dictionary {
  explicit Dictionary(std::string bytes)
      : bytes(std::move(bytes)),
        ddict(ZSTD_createDDict(this->bytes.data(), this->bytes.size()), &ZSTD_freeDDict) {}
  std::string bytes;
  std::shared_ptr<ZSTD_DDict> ddict;  // null only when zstd is out of memory
};

}  // namespace mf::archive
