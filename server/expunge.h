// Removing the selected mailbox's \Deleted messages, for EXPUNGE, UID
// EXPUNGE (RFC 4315 §2.1) and CLOSE.
#pragma once

#include "imap/sequence_set.h"
#include "server/session.h"

namespace mf::server {

// Removes the \Deleted messages (those of uids only, when given) from the
// store. The view learns of it at the session's next sync, which sends
// the EXPUNGE responses.
[[nodiscard]] net::Task<Result<void>> expunge_deleted(Session& session, const imap::SequenceSet* uids);

}  // namespace mf::server
