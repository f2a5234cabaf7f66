// STATUS data items (RFC 9051 §6.3.11), for STATUS and for LIST's RETURN
// (STATUS ...) (RFC 5819): which items a client asked for, and their values.
#pragma once

#include "core/error.h"
#include "imap/value.h"
#include "store/mailstore.h"

#include <string>
#include <vector>

namespace mf::server {

// The items of a parenthesized list, canonical upper case; Errc::Protocol naming an unknown one.
[[nodiscard]] Result<std::vector<std::string>> parse_status_items(const imap::Value& list);
// "MESSAGES 3 UNSEEN 1": the values in the order asked.
std::string status_values(const std::vector<std::string>& items, const store::MailboxInfo& info,
                          const store::MailboxCounts& counts);

}  // namespace mf::server
