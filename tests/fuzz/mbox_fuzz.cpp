// libFuzzer: mbox files (From_ lines, mboxrd unescaping, Status/X-Status
// flags, dates), as an old server or mail client may have left them. The
// input is written to a file, since the store reads files.
#include "localmail/stores.h"

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

namespace {

const std::string& input_path() {
  struct TempFile {
    std::string path = "/tmp/mf-mbox-fuzz-" + std::to_string(::getpid());
    ~TempFile() { std::remove(path.c_str()); }
  };
  static const TempFile file;
  return file.path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = input_path();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  auto store = mf::localmail::make_mbox_store(path);
  auto folders = store->folders();
  if (!folders) return 0;
  for (const auto& folder : *folders) {
    auto messages = store->messages(folder);
    if (!messages) continue;
    for (const auto& m : *messages) {
      auto bytes = store->read(m);
      if (bytes && m.length > size) __builtin_trap();  // a message is never longer than the file
    }
  }
  return 0;
}
