#include "server/server.h"

#include "core/atomic_file.h"
#include "core/log.h"
#include "core/stop.h"
#include "net/task_group.h"
#include "server/lmtp_session.h"
#include "server/session.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <sys/stat.h>
#include <functional>
#include <list>

namespace mf::server {
namespace {

namespace asio = net::asio;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

enum class Protocol { Imap, Imaps, Lmtp };

// What the stop watcher asks of each live session: to end after its command in flight.
using Live = std::list<std::function<void()>>;

net::Task<void> accept_loop(ServerContext& context, asio::ip::tcp::acceptor& acceptor, Protocol protocol,
                            net::TaskGroup& sessions, Live& live) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(kTuple);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      log::warn("accept failed: " + ec.message());
      continue;
    }
    auto conn = net::Connection::accepted(std::move(socket), context.tls, context.login_timeout);
    sessions.spawn([](ServerContext& context, std::unique_ptr<net::Connection> conn, Protocol protocol,
                      Live& live) -> net::Task<void> {
      if (protocol == Protocol::Lmtp) {
        LmtpSession session(context, std::move(conn));
        auto it = live.insert(live.end(), [&session] { session.shut_down(); });
        co_await session.run();
        live.erase(it);
      } else {
        Session session(context, std::move(conn), protocol == Protocol::Imaps);
        auto it = live.insert(live.end(), [&session] { session.shut_down(); });
        co_await session.run();
        live.erase(it);
      }
    }(context, std::move(conn), protocol, live));
  }
}

// Polls the polite stop (core/stop.h) and, once asked, closes the listeners
// and asks every session to end.
net::Task<void> watch_stop(std::vector<std::unique_ptr<asio::ip::tcp::acceptor>>& acceptors, Live& live) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!stop_requested()) {
    timer.expires_after(std::chrono::milliseconds(100));
    co_await timer.async_wait(kTuple);
  }
  log::info("stopping: no new connections; sessions end after their command in flight");
  for (auto& a : acceptors) {
    boost::system::error_code ignored;
    a->close(ignored);
  }
  for (auto& shut_down : live) shut_down();
}

}  // namespace

Result<ListenAddress> parse_listen_address(std::string_view text, bool implicit_tls) {
  std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return make_error(Errc::Usage, "not HOST:PORT", std::string(text));
  std::string host(text.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || p != port_text.data() + port_text.size() || port > 65535)
    return make_error(Errc::Usage, "not a port number", std::string(text));
  boost::system::error_code bad;
  asio::ip::make_address(host, bad);
  if (bad) return make_error(Errc::Usage, "not an IP address", std::string(text));
  return ListenAddress{host, static_cast<std::uint16_t>(port), implicit_tls};
}

Result<void> serve(const ServeOptions& options) {
  ServerContext context;
  context.data_dir = options.data_dir;
  MF_TRY(users, store::Users::load(options.data_dir + "/users"));
  context.users = std::move(users);
  context.lane = std::make_unique<StoreLane>(options.data_dir + "/mail");
  context.auth_lane = std::make_unique<net::OffloadLane>();
  context.plaintext_login = options.plaintext_login;
  context.append_limit = options.append_limit;
  if (!options.tls_cert.empty() || !options.tls_key.empty()) {
    MF_TRY(tls, net::make_server_tls(options.tls_cert, options.tls_key));
    context.tls = std::move(tls);
  }
  for (const auto& l : options.imap)
    if (l.implicit_tls && !context.tls)
      return make_error(Errc::Usage, "an IMAPS listener needs --tls-cert and --tls-key", l.host);
  if (options.imap.empty() && options.lmtp.empty())
    return make_error(Errc::Usage, "nothing to listen on (--imap, --imaps or --lmtp)");
  MF_CHECK(make_directory(options.data_dir));
  MF_CHECK(make_directory(options.data_dir + "/mail"));

  asio::io_context io;
  std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> acceptors;
  std::vector<std::uint16_t> ports;
  std::vector<Protocol> protocols;
  std::vector<ListenAddress> listens = options.imap;
  listens.insert(listens.end(), options.lmtp.begin(), options.lmtp.end());
  for (std::size_t i = 0; i < listens.size(); ++i) {
    const auto& l = listens[i];
    protocols.push_back(i >= options.imap.size() ? Protocol::Lmtp : l.implicit_tls ? Protocol::Imaps : Protocol::Imap);
    asio::ip::tcp::endpoint endpoint(asio::ip::make_address(l.host), l.port);
    auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(io);
    boost::system::error_code ec;
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    std::string where = l.host + ":" + std::to_string(l.port);
    if (ec) return make_error(Errc::Io, "cannot listen: " + ec.message(), where);
    ports.push_back(acceptor->local_endpoint().port());
    const char* kind = protocols.back() == Protocol::Lmtp ? "lmtp" : protocols.back() == Protocol::Imaps ? "imaps" : "imap";
    log::info(std::string(kind) + ": listening on " + l.host + ":" + std::to_string(ports.back()));
    acceptors.push_back(std::move(acceptor));
  }
  if (options.on_listening) options.on_listening(ports);

  Live live;
  std::exception_ptr failure;
  asio::co_spawn(
      io,
      [&]() -> net::Task<void> {
        net::TaskGroup sessions(co_await asio::this_coro::executor);
        net::TaskGroup loops(co_await asio::this_coro::executor);
        for (std::size_t i = 0; i < acceptors.size(); ++i)
          loops.spawn(accept_loop(context, *acceptors[i], protocols[i], sessions, live));
        loops.spawn(watch_stop(acceptors, live));
        co_await loops.wait();
        co_await sessions.wait();
      },
      [&](std::exception_ptr e) { failure = e; });
  io.run();
  if (failure) std::rethrow_exception(failure);
  log::info("stopped");
  return {};
}

}  // namespace mf::server
