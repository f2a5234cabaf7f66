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

}  // namespace mf::server
