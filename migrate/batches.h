// What migrate and archive import both do with a folder's messages: cut
// them into batches (bounded memory, one commit per batch), and describe a
// message read from a source as an archive ingest request.
#pragma once

#include "archive/archive.h"
#include "imap/date.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mf::migrate {

// In order, at most max_count items a batch and, unless one item alone is
// bigger, max_bytes bytes (size_of(item) each).
template <class T, class SizeOf>
std::vector<std::vector<T>> batches_of(const std::vector<T>& items, std::uint64_t max_bytes, std::uint64_t max_count,
                                       SizeOf size_of) {
  std::vector<std::vector<T>> out;
  std::uint64_t bytes = 0;
  for (const auto& item : items) {
    std::uint64_t size = size_of(item);
    if (out.empty() || out.back().size() >= max_count || (bytes + size > max_bytes && !out.back().empty())) {
      out.emplace_back();
      bytes = 0;
    }
    out.back().push_back(item);
    bytes += size;
  }
  return out;
}

// An ingest request for `raw` (a view: the caller keeps the bytes) as read
// from `source`: where it lay, its flags, its INTERNALDATE as the source
// wrote it (0 when unreadable), and which copy of identical messages in the
// folder it is.
inline archive::IngestRequest ingest_request(std::string_view raw, const Digest& sha256, std::string account,
                                             std::string folder, std::vector<std::string> flags,
                                             const std::string& internaldate, std::string source, std::uint32_t copy) {
  archive::IngestRequest r{raw, {std::move(account), std::move(folder), std::move(flags), 0, std::move(source), copy},
                           sha256};
  if (auto dt = imap::parse_date_time(internaldate)) r.placement.internaldate = dt->epoch;
  return r;
}

}  // namespace mf::migrate
