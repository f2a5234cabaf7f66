// Incremental passes: messages copied by an earlier run get the flags they
// have at the source now (as far as the target accepts them), so that the
// final cutover pass also carries what users read, answered or flagged
// since. The target mailbox must be selected read-write.
#pragma once

#include "imapclient/client.h"

#include <map>
#include <string>
#include <vector>

namespace mf::migrate {

// source_flags: source UID -> its flags now; pairs: source UID -> target UID.
// Returns how many target messages were changed.
net::Task<Result<std::uint32_t>> sync_flags(imapclient::Client& target, const imapclient::SelectedMailbox& box,
                                            const std::map<std::uint32_t, std::vector<std::string>>& source_flags,
                                            const std::map<std::uint32_t, std::uint32_t>& pairs);

}  // namespace mf::migrate
