// Reading the selected mailbox's messages through the store lane, for the
// commands that need their bytes (FETCH, SEARCH, SORT, THREAD).
#pragma once

#include "server/search_keys.h"
#include "server/session.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mf::server {

// The bytes of the messages at these sequence numbers, in one trip to the
// lane; none for a message whose file went with the last copy another
// session expunged after this view took it.
[[nodiscard]] net::Task<Result<std::vector<std::optional<std::string>>>> read_messages(
    Session& session, const std::vector<std::uint32_t>& seqs);

// The sequence numbers of the messages the key matches, ascending; bytes
// are read only when the key needs them (RFC 9051 §6.4.4).
[[nodiscard]] net::Task<Result<std::vector<std::uint32_t>>> search_selected(Session& session, const SearchKey& key);

// Calls visit(seq, bytes) for each of the messages still there, read in
// batches (SORT and THREAD read the matches' headers this way).
template <class Visit>
[[nodiscard]] net::Task<Result<void>> each_message(Session& session, const std::vector<std::uint32_t>& seqs, Visit visit) {
  constexpr std::size_t kBatch = 32;  // messages read per trip to the lane
  for (std::size_t start = 0; start < seqs.size(); start += kBatch) {
    std::vector<std::uint32_t> batch(seqs.begin() + start, seqs.begin() + std::min(seqs.size(), start + kBatch));
    MF_CO_TRY(read, co_await read_messages(session, batch));
    for (std::size_t i = 0; i < batch.size(); ++i)
      if (read[i]) visit(batch[i], *read[i]);
  }
  co_return Result<void>{};
}

}  // namespace mf::server
