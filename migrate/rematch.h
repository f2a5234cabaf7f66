// After the source renumbered a folder (its UIDVALIDITY changed: a restore,
// a rebuilt index, a server move), the messages copied before are found
// again by SHA-256 under their new UIDs, so that only what is really new is
// copied: never all over again, never a duplicate.
#pragma once

#include "source/source.h"
#include "migrate/state.h"

namespace mf::migrate {

// The source folder must be selected. Returns how many copied messages
// were found again; those not found are forgotten (gone at the source).
net::Task<Result<std::uint32_t>> rematch_source(source::MailSource& source, std::uint32_t exists, StateStore& state,
                                                std::int64_t folder_id, std::uint32_t new_uidvalidity);

}  // namespace mf::migrate
