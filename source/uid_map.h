// UIDs for messages that have none of their own (local files, POP3), kept
// stable from run to run by a key per message (the state file implements
// this, so a source does not depend on the migration's state).
#pragma once

#include "core/error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mf::source {

class UidMap {
 public:
  virtual ~UidMap() = default;
  // The UID of each key in scope, the same ones every time; new keys get the next free UIDs.
  [[nodiscard]] virtual Result<std::vector<std::uint32_t>> local_uids(const std::string& scope,
                                                                      const std::vector<std::string>& keys) = 0;
};

}  // namespace mf::source
