#include "imap/sequence_set.h"

#include <algorithm>
#include <charconv>

namespace mf::imap {
namespace {

Result<std::uint32_t> parse_number(std::string_view text, std::string_view whole) {
  if (text == "*") return SequenceSet::kStar;
  std::uint32_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  // RFC 9051 §9: nz-number, no leading zero, at most 2^32-1.
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() || n == 0 || text[0] == '0')
    return make_error(Errc::Protocol, "invalid sequence set \"" + std::string(whole) + "\"");
  return n;
}

std::string number_text(std::uint32_t n) { return n == SequenceSet::kStar ? "*" : std::to_string(n); }

}  // namespace

Result<SequenceSet> SequenceSet::parse(std::string_view text) {
  SequenceSet out;
  if (text.empty()) return make_error(Errc::Protocol, "empty sequence set");
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    std::string_view item = text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    std::size_t colon = item.find(':');
    MF_TRY(low, parse_number(item.substr(0, colon), text));
    std::uint32_t high = low;
    if (colon != std::string_view::npos) {
      MF_TRY(h, parse_number(item.substr(colon + 1), text));
      high = h;
    }
    out.add(low, high);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

SequenceSet SequenceSet::from_numbers(std::vector<std::uint32_t> numbers) {
  std::sort(numbers.begin(), numbers.end());
  numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
  SequenceSet out;
  for (std::size_t i = 0; i < numbers.size();) {
    std::size_t j = i;
    while (j + 1 < numbers.size() && numbers[j + 1] == numbers[j] + 1) ++j;
    out.ranges_.emplace_back(numbers[i], numbers[j]);
    i = j + 1;
  }
  return out;
}

SequenceSet SequenceSet::range(std::uint32_t low, std::uint32_t high) {
  SequenceSet out;
  out.add(low, high);
  return out;
}

void SequenceSet::add(std::uint32_t low, std::uint32_t high) {
  if (low != kStar && high != kStar && low > high) std::swap(low, high);  // RFC 9051: "4:2" equals "2:4"
  ranges_.emplace_back(low, high);
}

bool SequenceSet::contains(std::uint32_t n, std::uint32_t star) const {
  for (auto [low, high] : ranges_) {
    std::uint32_t l = low == kStar ? star : low;
    std::uint32_t h = high == kStar ? star : high;
    if (l > h) std::swap(l, h);
    if (n >= l && n <= h) return true;
  }
  return false;
}

std::vector<std::uint32_t> SequenceSet::expand(std::uint32_t star) const {
  std::vector<std::uint32_t> out;
  for (auto [low, high] : ranges_) {
    std::uint32_t l = low == kStar ? star : low;
    std::uint32_t h = high == kStar ? star : high;
    if (l > h) std::swap(l, h);
    for (std::uint64_t n = l; n <= h; ++n) out.push_back(static_cast<std::uint32_t>(n));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string SequenceSet::to_string() const {
  std::string out;
  for (auto [low, high] : ranges_) {
    if (!out.empty()) out += ',';
    out += number_text(low);
    if (high != low) out += ':' + number_text(high);
  }
  return out;
}

}  // namespace mf::imap
