// A fresh directory under /tmp for one test, removed with everything in it
// when the test ends.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace mf::test {

struct TempDir {
  std::string path;
  TempDir() {
    char templ[] = "/tmp/mailferry-test-XXXXXX";
    path = ::mkdtemp(templ);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace mf::test
