// Settles what an interrupted run left pending: a pending message is on the
// target if a target message at or above its recorded UID floor, not
// claimed by another copied message, has the same SHA-256 (or, for a message
// a server may rewrite, the same rewrite-blind hash: Cyrus replaces 8-bit
// header bytes, Dovecot changes line ends). Found ones
// become copied; the others are forgotten, so they are copied again.
// Never a loss (a message is only marked copied when its bytes are seen on
// the target) and never a duplicate (what is there is not sent again).
#pragma once

#include "imapclient/client.h"
#include "migrate/state.h"

#include <chrono>

namespace mf::migrate {

// A server may still be finishing the APPEND of a client that was just
// killed (the command was in its socket buffer): what is not found is only
// given up once the batch was recorded at least this long ago.
inline constexpr std::chrono::seconds kSettleTime{10};

struct Reconciled {
  std::vector<CopiedMessage> found;  // the pending messages found on the target (now recorded as copied)
  std::vector<std::uint32_t> altered;  // source UIDs of those the target holds with other bytes
};

net::Task<Result<Reconciled>> reconcile_pending(imapclient::Client& target, const std::string& target_mailbox,
                                                bool target_exists, StateStore& state, std::int64_t folder_id,
                                                std::chrono::seconds settle = kSettleTime);

}  // namespace mf::migrate
