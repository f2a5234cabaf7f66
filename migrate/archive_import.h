// Archiving what a source holds (mailferry archive import): every folder,
// every message, into an archive, in batches each durable before the next
// is read; ends with a reconciliation whose numbers add up: seen =
// archived + deduplicated + already present + rejected, and for local files
// seen against the messages counted on disk.
#pragma once

#include "archive/archive.h"
#include "source/endpoint.h"
#include "migrate/progress.h"

#include <string>
#include <vector>

namespace mf::migrate {

struct ImportTally {
  std::uint64_t seen = 0, archived = 0, deduplicated = 0, already_present = 0, rejected = 0, bytes = 0;
  void add(const archive::IngestResult& r);
};

struct ImportResult {
  std::string account;
  std::string source;
  ImportTally tally;
  std::vector<std::pair<std::string, std::string>> rejections;  // where (folder, UID), why
  std::vector<std::string> folder_errors;
  // Local sources: the messages the files hold, counted apart from reading
  // them (localmail::Store::messages_on_disk); more than seen is an error.
  std::optional<std::uint64_t> on_disk;
  std::optional<Error> fatal;
  double seconds = 0;
  bool all_read() const { return !on_disk || *on_disk <= tally.seen; }
  bool complete() const { return !fatal && folder_errors.empty() && tally.rejected == 0 && all_read(); }
};

// `account`: what the placements are filed under (empty: the source's
// user@host, or for local files their path).
net::Task<ImportResult> import_to_archive(const source::Endpoint& from, archive::Writer& archive, std::size_t batch_bytes,
                                          Progress& progress, const std::string& account = {});

}  // namespace mf::migrate
