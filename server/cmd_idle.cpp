#include "server/commands.h"

#include "net/task_group.h"
#include "server/change_watch.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <optional>

namespace mf::server {
namespace {

struct Idling {
  ChangeWatch& watch;
  ChangeWatch::Waiter& waiter;
  bool done = false;  // the client's line came (or the connection ended)
  std::optional<Error> failed;
  std::string line;
};

// The one line that ends IDLE (RFC 9051 §6.3.13: "DONE").
net::Task<void> read_done(Session& session, Idling& idle) {
  auto read = co_await session.read_line();
  idle.done = true;
  idle.waiter.timer().cancel();
  if (!read) idle.failed = read.error();
  else idle.line = std::move(*read);
}

// Until then: what other sessions and deliveries of the user change is sent
// as it happens, each time the store lane reports a write (no polling).
net::Task<void> push_changes(Session& session, Idling& idle) {
  std::optional<std::uint64_t> seen;  // none yet: catch up once at the start
  for (;;) {
    if (seen && idle.watch.generation(session.user()) == *seen) {
      if (idle.done) co_return;  // read_done cancelled the timer already: nothing would wake this wait
      co_await idle.waiter.timer().async_wait(net::asio::as_tuple(net::asio::use_awaitable));
    }
    if (idle.done) co_return;
    seen = idle.watch.generation(session.user());
    if (session.state() != State::Selected) continue;
    auto sent = co_await session.sync_selected(true);  // RFC 9051 §6.3.13: EXPUNGE too
    if (sent) sent = co_await session.flush();
    if (!sent || session.state() == State::Logout) {
      // The mailbox went away (BYE is out) or the client did: end the read too.
      if (!sent && !idle.failed) idle.failed = sent.error();
      session.cancel_io();
      co_return;
    }
  }
}

}  // namespace

// RFC 9051 §6.3.13 (RFC 2177): "+", then updates as they happen, until DONE.
// The read and the updates run at once on the one connection (one read and
// one write in flight, as Asio allows on a TCP or TLS stream).
net::Task<Result<Reply>> cmd_idle(Session& session, imap::Command& command) {
  if (!command.args.empty()) co_return bad("IDLE takes no arguments");
  session.out().continuation("idling");
  MF_CO_CHECK(co_await session.flush());
  auto executor = co_await net::asio::this_coro::executor;
  ChangeWatch& watch = session.context().lane->watch();
  ChangeWatch::Waiter waiter(watch, session.user(), executor);
  Idling idle{watch, waiter};
  net::TaskGroup group(executor);
  group.spawn(read_done(session, idle));
  group.spawn(push_changes(session, idle));
  co_await group.wait();
  if (session.state() == State::Logout) co_return Reply{imap::Status::Ok, {}, {}, true};  // after BYE
  if (idle.failed && session.stopping()) co_return Reply{imap::Status::Ok, {}, {}, true};  // BYE follows
  if (idle.failed) co_return *idle.failed;
  if (!imap::iequals(idle.line, "DONE")) co_return bad("IDLE ends with DONE");
  co_return ok("IDLE terminated");
}

}  // namespace mf::server
