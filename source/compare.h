// The comparison behind verify, pure and without I/O: messages as digests
// (SHA-256, line-ending and rewrite-blind hashes, flags, INTERNALDATE,
// Message-ID, Subject), paired by hash as multisets, the rest classified.
// Shared by migrate's verify and by any test that must prove "target equals
// source".
#pragma once

#include "source/source.h"

#include <optional>
#include <string>
#include <vector>

namespace mf::source {

// What verify knows of one message; the body itself is not kept.
struct MessageDigest {
  std::uint32_t uid = 0;
  std::string sha256;
  std::string blind_sha256;    // line-ending blind (see line_ending_blind_hash)
  std::string rewrite_sha256;  // blind to known server rewrites (see rewrite_blind_hash)
  std::uint64_t size = 0;
  std::vector<std::string> flags;  // sorted, without \Recent
  std::optional<std::int64_t> internaldate;  // epoch seconds
  std::string message_id;
  std::string subject;
};

enum class DifferenceKind {
  Missing,
  Extra,
  ContentDiffers,
  LineEndingsDiffer,
  RewrittenByTarget,
  FlagsDiffer,
  DateDiffers
};
std::string_view difference_name(DifferenceKind kind);

struct Difference {
  DifferenceKind kind;
  std::uint32_t source_uid = 0;  // 0 when there is none (Extra)
  std::uint32_t target_uid = 0;  // 0 when there is none (Missing)
  std::string message_id;
  std::string subject;
  std::string detail;  // e.g. "source (\Seen) target ()"
};

struct FolderComparison {
  std::string source;  // display names
  std::string target;
  bool target_missing = false;
  std::size_t source_count = 0;
  std::size_t target_count = 0;
  std::size_t matched = 0;
  std::vector<Difference> differences;
  std::string error;  // the folder could not be read
};

// What verify keeps of a message it read.
MessageDigest digest_of(const SourceMessage& m);

// Pairs messages by hash, then classifies the rest. Pure: no I/O.
FolderComparison compare_folder(std::vector<MessageDigest> source, std::vector<MessageDigest> target);

}  // namespace mf::source
