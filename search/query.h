// Searching the index: a notmuch-like query language (docs/search.md) in,
// the matching archive messages out. Xapian's QueryParser does the words,
// phrases, wildcards and AND/OR/NOT; what it cannot (date:2023, date:30d..,
// size:>1M, every word stemmed even when capitalised as German nouns are)
// is rewritten first.
#pragma once

#include "core/error.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mf::search {

struct Hit {
  std::int64_t number = 0;  // the archive's message number (mailferry archive get N)
  std::string sha256, message_id, from, subject, account, folder;
  std::int64_t date = 0;  // Date: (or INTERNALDATE), seconds since 1970 UTC
};

enum class Sort { Newest, Oldest, Relevance };

struct Found {
  std::uint64_t total = 0;  // every match, not only those listed
  std::vector<Hit> hits;
  std::int64_t position = 0;  // the last archive event the index had taken in when searched
};

[[nodiscard]] Result<Found> search(const std::string& archive_dir, std::string_view query, Sort sort, std::size_t limit);

// The query as Xapian's parser takes it: date: and size: as number ranges,
// free words lower case (so that each is stemmed). Errors (Errc::Usage) name
// the byte where the fault starts. `now` anchors relative dates.
[[nodiscard]] Result<std::string> rewrite_query(std::string_view query, std::int64_t now);

}  // namespace mf::search
