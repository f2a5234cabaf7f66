// --delete: messages copied by an earlier pass and expunged at the source
// since are expunged on the target too, those and no others (UID EXPUNGE,
// RFC 4315 §2.1, so that other \Deleted messages on the target stay).
#pragma once

#include "imapclient/client.h"

#include <cstdint>
#include <vector>

namespace mf::migrate {

// target_uids: the target copies of the messages gone at the source. The
// target mailbox must be selected read-write. Errc::Perm without UIDPLUS.
net::Task<Result<void>> expunge_on_target(imapclient::Client& target, const std::vector<std::uint32_t>& target_uids);

}  // namespace mf::migrate
