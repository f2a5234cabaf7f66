// What the archive's layout costs against solid compression, on the
// corpus alone: heads and bodies as one zstd frame each (with a trained
// dictionary, as the archive stores them), in packs of many messages, and
// as one solid stream. Built and run by bench/compression_options.sh.
#include <zdict.h>
#include <zstd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::size_t compressed_size(const std::string& bytes, int level, const std::string* dictionary) {
  std::string out(ZSTD_compressBound(bytes.size()), '\0');
  ZSTD_CCtx* ctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(ctx, ZSTD_c_compressionLevel, level);
  if (dictionary) ZSTD_CCtx_loadDictionary(ctx, dictionary->data(), dictionary->size());
  std::size_t n = ZSTD_compress2(ctx, out.data(), out.size(), bytes.data(), bytes.size());
  ZSTD_freeCCtx(ctx);
  return n;
}

// As the archive trains it: samples of at most 16 KB, 112 KB of dictionary.
std::string train(const std::vector<std::string>& parts) {
  std::string samples;
  std::vector<std::size_t> sizes;
  for (const auto& p : parts) {
    if (samples.size() >= (4u << 20)) break;
    samples += p.substr(0, 16384);
    sizes.push_back(std::min<std::size_t>(p.size(), 16384));
  }
  std::string dictionary(112640, '\0');
  std::size_t n = ZDICT_trainFromBuffer(dictionary.data(), dictionary.size(), samples.data(), sizes.data(),
                                        static_cast<unsigned>(sizes.size()));
  dictionary.resize(ZDICT_isError(n) ? 0 : n);
  return dictionary;
}

std::size_t in_packs(const std::vector<std::string>& parts, std::size_t pack, int level, const std::string& dictionary) {
  std::size_t total = 0;
  std::string current;
  for (const auto& p : parts) {
    current += p;
    if (current.size() >= pack) total += compressed_size(current, level, &dictionary), current.clear();
  }
  return current.empty() ? total : total + compressed_size(current, level, &dictionary);
}

}  // namespace

int main(int argc, char** argv) {
  std::string root = argc > 1 ? argv[1] : ".cache/corpus/package/data";
  std::vector<std::string> heads, bodies;
  std::string all;
  for (const char* group : {"easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"}) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(root + "/" + group))
      if (e.path().extension() == ".txt") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::string m = slurp(f);
      auto cut = m.find("\n\n");
      cut = cut == std::string::npos ? m.size() : cut + 2;
      heads.push_back(m.substr(0, cut));
      bodies.push_back(m.substr(cut));
      all += m;
    }
  }
  std::printf("%zu messages, %.1f MB\n", heads.size(), all.size() / 1e6);
  std::string head_dictionary = train(heads), body_dictionary = train(bodies);
  for (int level : {3, 19}) {
    std::size_t h = 0, b = 0;
    for (const auto& x : heads) h += compressed_size(x, level, &head_dictionary);
    for (const auto& x : bodies) b += compressed_size(x, level, &body_dictionary);
    std::printf("a frame per head and per body, level %2d:  %.2f MB\n", level, (h + b) / 1e6);
  }
  for (int level : {3, 19}) {
    std::size_t total = in_packs(heads, 1 << 20, level, head_dictionary) + in_packs(bodies, 1 << 20, level, body_dictionary);
    std::printf("packs of 1 MB (heads apart), level %2d:     %.2f MB\n", level, total / 1e6);
  }
  std::printf("one solid stream, level 19:               %.2f MB\n", compressed_size(all, 19, nullptr) / 1e6);
}
