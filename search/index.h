// The search index of an archive (DIR/index, Xapian): built from the
// archive's chain of events through its Reader, in order, from a position
// kept in the index itself and committed with what it indexed, so a crash
// loses nothing and a re-run indexes only what is new. Purged messages
// leave it. A document's id is the message's archive number.
#pragma once

#include "archive/archive.h"
#include "core/error.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mf::search {

struct CatchUp {
  std::uint64_t events = 0;        // read from the chain
  std::uint64_t indexed = 0;       // messages added
  std::uint64_t updated = 0;       // messages placed again (another folder, other flags)
  std::uint64_t removed = 0;       // purged messages taken out
  std::vector<std::string> unreadable;  // "message N: why": indexed with what could be read (headers), named here
  std::uint64_t attachments_read = 0;   // PDF, DOCX, ODT and text attachments whose text is indexed
  std::vector<std::string> unextracted;  // "message N: attachment \"NAME\": why": its text is not indexed
  std::int64_t position = 0;       // the last event indexed
  std::uint64_t documents = 0;     // messages in the index afterwards
};

class Index {
 public:
  // Opens (creating) DIR/index for writing. `language` (a Xapian stemmer:
  // "de", "en", "none", ...) is fixed when the index is made; empty: keep
  // the index's own ("de" for a new one).
  [[nodiscard]] static Result<std::unique_ptr<Index>> open_for_writing(const std::string& archive_dir,
                                                                       const std::string& language = {});
  ~Index();
  // Indexes every event of the archive after the index's position.
  [[nodiscard]] Result<CatchUp> catch_up(archive::Reader& archive);
  std::string language() const;
  // Rewrites the index compactly (Xapian's compaction, into a copy that
  // then takes its place): about half the size of an index grown batch by
  // batch. Closes this writer: nothing is written through it afterwards.
  [[nodiscard]] Result<void> compact();

 private:
  struct Impl;
  explicit Index(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The last event DIR/index has taken in, read without taking the writer's
// lock (nullopt: there is no index yet).
[[nodiscard]] Result<std::optional<std::int64_t>> indexed_position(const std::string& archive_dir);

// Removes DIR/index (archive reindex starts again from the chain's first event).
[[nodiscard]] Result<void> remove_index(const std::string& archive_dir);

}  // namespace mf::search
