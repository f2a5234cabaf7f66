// A migration source in local files: maildir:/path, mbox:/path, eml:/dir
// (docs/migrate.md "Local sources").
#pragma once

#include "localmail/store.h"
#include "source/source.h"

namespace mf::source {

// state (may be null) keeps the messages' UIDs stable from run to run.
[[nodiscard]] Result<std::unique_ptr<MailSource>> open_local_source(const std::string& url, UidMap* state);

}  // namespace mf::source
