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
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstring>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <functional>
#include <list>
#include <type_traits>

namespace mf::server {
namespace {

namespace asio = net::asio;
using local = asio::local::stream_protocol;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

enum class Protocol { Imap, Imaps, Lmtp };

// What the stop watcher asks of each live session: to end after its command in flight.
using Live = std::list<std::function<void()>>;

template <class Acceptor>
net::Task<void> accept_loop(ServerContext& context, Acceptor& acceptor, Protocol protocol, net::TaskGroup& sessions,
                            Live& live) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(kTuple);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      // Out of file descriptors, most likely: the connections already open go on; try again shortly.
      log::warn("accept failed: " + ec.message());
      co_await net::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    std::unique_ptr<net::Connection> conn;
    if constexpr (std::is_same_v<Acceptor, local::acceptor>)
      conn = net::Connection::accepted(std::move(socket), acceptor.local_endpoint().path(), context.login_timeout);
    else
      conn = net::Connection::accepted(std::move(socket), context.tls, context.login_timeout);
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
// (close_all) and asks every session to end.
net::Task<void> watch_stop(const std::function<void()>& close_all, Live& live) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!stop_requested()) {
    timer.expires_after(std::chrono::milliseconds(100));
    co_await timer.async_wait(kTuple);
  }
  log::info("stopping: no new connections; sessions end after their command in flight");
  close_all();
  for (auto& shut_down : live) shut_down();
}

// SIGHUP: the certificate and key are read again (a renewed certificate, as
// certbot's deploy hook asks for), for the connections from then on; a pair
// that cannot be used leaves the old one in place. The users file too,
// though it is also read again on its own when it changes.
net::Task<void> reload_on_hangup(ServerContext& context, const ServeOptions& options, asio::signal_set& hangup) {
  for (;;) {
    auto [ec, signal] = co_await hangup.async_wait(kTuple);
    if (ec) co_return;  // cancelled: stopping
    log::info("SIGHUP: reading the certificate and the users again");
    if (context.tls) {
      if (auto tls = net::make_server_tls(options.tls_cert, options.tls_key); !tls)
        log::error("the certificate stays as it was: " + tls.error().describe());
      else {
        context.tls = std::move(*tls);
        log::info("tls: new connections use " + options.tls_cert);
      }
    }
    context.users.current();
  }
}

// A Unix socket for LMTP. A socket file left by a server that ended is taken
// over; one that a running server still answers on is not.
Result<std::unique_ptr<local::acceptor>> listen_unix(asio::io_context& io, const std::string& path, unsigned mode) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) return make_error(Errc::Usage, "exists and is not a socket", path);
    local::socket probe(io);
    boost::system::error_code ec;
    probe.connect(local::endpoint(path), ec);
    if (!ec) return make_error(Errc::InUse, "another server listens on this socket", path);
    if (::unlink(path.c_str()) != 0) return make_error(Errc::Io, std::string("cannot remove the old socket: ") + std::strerror(errno), path);
  }
  auto acceptor = std::make_unique<local::acceptor>(io);
  boost::system::error_code ec;
  acceptor->open(local(), ec);
  if (!ec) acceptor->bind(local::endpoint(path), ec);
  if (ec) return make_error(Errc::Io, "cannot listen: " + ec.message(), path);
  // After bind, so the mode does not depend on the umask.
  if (::chmod(path.c_str(), mode) != 0) return make_error(Errc::Io, std::string("cannot set the socket's mode: ") + std::strerror(errno), path);
  acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return make_error(Errc::Io, "cannot listen: " + ec.message(), path);
  return acceptor;
}

Result<std::unique_ptr<asio::ip::tcp::acceptor>> listen_tcp(asio::io_context& io, const ListenAddress& l) {
  asio::ip::tcp::endpoint endpoint(asio::ip::make_address(l.host), l.port);
  auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(io);
  boost::system::error_code ec;
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return make_error(Errc::Io, "cannot listen: " + ec.message(), l.host + ":" + std::to_string(l.port));
  return acceptor;
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
  return ListenAddress{host, static_cast<std::uint16_t>(port), "", implicit_tls};
}

Result<void> serve(const ServeOptions& options) {
  ServerContext context;
  context.data_dir = options.data_dir;
  MF_TRY(users, UserList::load(options.data_dir + "/users"));
  context.users = std::move(users);
  context.lane = std::make_unique<StoreLane>(options.data_dir + "/mail", options.quota);
  context.auth_lane = std::make_unique<net::OffloadLane>();
  context.plaintext_login = options.plaintext_login;
  context.append_limit = options.append_limit;
  if (!options.tls_cert.empty() || !options.tls_key.empty()) {
    auto tls = net::make_server_tls(options.tls_cert, options.tls_key);
    if (!tls) {
      Error local = tls.error();
      local.code = Errc::Io;  // a file of this machine (exit 5), not a remote's TLS
      return local;
    }
    context.tls = std::move(*tls);
  }
  for (const auto& l : options.imap)
    if (l.implicit_tls && !context.tls)
      return make_error(Errc::Usage, "an IMAPS listener needs --tls-cert and --tls-key", l.host);
  if (options.imap.empty() && options.lmtp.empty())
    return make_error(Errc::Usage, "nothing to listen on (--imap, --imaps or --lmtp)");
  MF_CHECK(make_directory(options.data_dir));
  MF_CHECK(make_directory(options.data_dir + "/mail"));
  // A connection is a file descriptor: take all the hard limit allows (systemd's LimitNOFILE=).
  if (rlimit files{}; ::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
  }

  asio::io_context io;
  std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> tcp;
  std::vector<Protocol> tcp_protocols;
  std::vector<std::unique_ptr<local::acceptor>> unix_sockets;
  std::vector<std::uint16_t> ports;
  std::vector<ListenAddress> listens = options.imap;
  listens.insert(listens.end(), options.lmtp.begin(), options.lmtp.end());
  for (std::size_t i = 0; i < listens.size(); ++i) {
    const auto& l = listens[i];
    Protocol protocol = i >= options.imap.size() ? Protocol::Lmtp : l.implicit_tls ? Protocol::Imaps : Protocol::Imap;
    if (!l.socket_path.empty()) {
      if (protocol != Protocol::Lmtp) return make_error(Errc::Usage, "a Unix socket is for LMTP only", l.socket_path);
      MF_TRY(acceptor, listen_unix(io, l.socket_path, options.lmtp_socket_mode));
      log::info("lmtp: listening on " + l.socket_path);
      unix_sockets.push_back(std::move(acceptor));
      continue;
    }
    MF_TRY(acceptor, listen_tcp(io, l));
    ports.push_back(acceptor->local_endpoint().port());
    const char* kind = protocol == Protocol::Lmtp ? "lmtp" : protocol == Protocol::Imaps ? "imaps" : "imap";
    log::info(std::string(kind) + ": listening on " + l.host + ":" + std::to_string(ports.back()));
    tcp.push_back(std::move(acceptor));
    tcp_protocols.push_back(protocol);
  }
  if (options.on_listening) options.on_listening(ports);

  asio::signal_set hangup(io, SIGHUP);
  std::function<void()> close_all = [&] {
    boost::system::error_code ignored;
    for (auto& a : tcp) a->close(ignored);
    for (auto& a : unix_sockets) a->close(ignored);
    hangup.cancel(ignored);
  };
  Live live;
  std::exception_ptr failure;
  asio::co_spawn(
      io,
      [&]() -> net::Task<void> {
        net::TaskGroup sessions(co_await asio::this_coro::executor);
        net::TaskGroup loops(co_await asio::this_coro::executor);
        for (std::size_t i = 0; i < tcp.size(); ++i)
          loops.spawn(accept_loop(context, *tcp[i], tcp_protocols[i], sessions, live));
        for (auto& a : unix_sockets) loops.spawn(accept_loop(context, *a, Protocol::Lmtp, sessions, live));
        loops.spawn(reload_on_hangup(context, options, hangup));
        loops.spawn(watch_stop(close_all, live));
        co_await loops.wait();
        co_await sessions.wait();
      },
      [&](std::exception_ptr e) { failure = e; });
  io.run();
  for (const auto& l : options.lmtp)
    if (!l.socket_path.empty()) ::unlink(l.socket_path.c_str());
  if (failure) std::rethrow_exception(failure);
  log::info("stopped");
  return {};
}

}  // namespace mf::server
