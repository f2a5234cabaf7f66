// Sequence sets (RFC 9051 §9 sequence-set): "1:4,7,9:*". Ranges are kept
// normalised (low <= high) unless one end is '*', which is stored as kStar
// and resolved by the caller.
#pragma once

#include "core/error.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mf::imap {

class SequenceSet {
 public:
  // 0, which no nz-number is (RFC 9051 §9): "*" stays apart from 4294967295, a valid UID.
  static constexpr std::uint32_t kStar = 0;

  SequenceSet() = default;
  [[nodiscard]] static Result<SequenceSet> parse(std::string_view text);
  // The shortest set holding exactly these numbers (any order, duplicates ok).
  static SequenceSet from_numbers(std::vector<std::uint32_t> numbers);
  static SequenceSet range(std::uint32_t low, std::uint32_t high);

  void add(std::uint32_t low, std::uint32_t high);
  bool empty() const { return ranges_.empty(); }
  // star: the value '*' stands for (the largest number in the mailbox).
  bool contains(std::uint32_t n, std::uint32_t star) const;
  // Every number in the set, '*' resolved; throws nothing, but can be large.
  std::vector<std::uint32_t> expand(std::uint32_t star) const;
  std::string to_string() const;
  const std::vector<std::pair<std::uint32_t, std::uint32_t>>& ranges() const { return ranges_; }

 private:
  std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges_;
};

}  // namespace mf::imap
