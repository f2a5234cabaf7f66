// libFuzzer: search's query rewriting (date:, size:, quotes, fields, UTF-8
// lower-casing) and the HTML reduction its indexer applies to every HTML
// part: any bytes give a rewritten query or an error naming a position.
#include "search/query.h"
#include "search/text.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)mf::search::html_to_text(bytes);
  auto rewritten = mf::search::rewrite_query(bytes, 1700000000);
  if (!rewritten && rewritten.error().where.rfind("query at character ", 0) != 0) __builtin_trap();
  return 0;
}
