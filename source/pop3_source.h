// A migration source on a POP3 server: pop3://USER@HOST, pop3s://...
// (docs/migrate.md "POP3 sources").
#pragma once

#include "source/source.h"
#include "pop3/client.h"

namespace mf::source {

net::Task<Result<std::unique_ptr<MailSource>>> open_pop3_source(net::asio::any_io_executor executor,
                                                                const Endpoint& endpoint, UidMap* state);

}  // namespace mf::source
