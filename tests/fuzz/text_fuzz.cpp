// libFuzzer: modified UTF-7, sequence sets and dates; checks round trips.
#include "imap/date.h"
#include "imap/mutf7.h"
#include "imap/sequence_set.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto decoded = mf::imap::mutf7_decode(text)) {
    auto encoded = mf::imap::mutf7_encode(*decoded);
    if (!encoded || *mf::imap::mutf7_decode(*encoded) != *decoded) std::abort();
  }
  if (auto encoded = mf::imap::mutf7_encode(text)) {
    auto back = mf::imap::mutf7_decode(*encoded);
    if (!back || *back != text) std::abort();
  }
  if (auto set = mf::imap::SequenceSet::parse(text)) {
    auto again = mf::imap::SequenceSet::parse(set->to_string());
    if (!again || again->to_string() != set->to_string()) std::abort();
  }
  if (auto date = mf::imap::parse_date_time(text)) {
    auto again = mf::imap::parse_date_time(mf::imap::format_date_time(*date));
    if (!again || again->epoch != date->epoch) std::abort();
  }
  return 0;
}
