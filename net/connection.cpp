#include "net/connection.h"

#include "core/log.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <openssl/ssl.h>
#include <map>
#include <cstring>
#include <mutex>
#include <openssl/x509v3.h>

namespace mf::net {
namespace {

using namespace asio::experimental::awaitable_operators;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

Result<std::shared_ptr<asio::ssl::context>> make_context(const TlsOptions& options);

// One context per TLS setting for the whole process: the CA store is read once.
Result<std::shared_ptr<asio::ssl::context>> shared_context(const TlsOptions& options) {
  static std::mutex mutex;
  static std::map<std::pair<bool, std::string>, std::shared_ptr<asio::ssl::context>> cache;
  std::lock_guard lock(mutex);
  auto key = std::pair{options.verify, options.ca_file};
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  MF_TRY(context, make_context(options));
  cache.emplace(key, context);
  return context;
}

Result<std::shared_ptr<asio::ssl::context>> make_context(const TlsOptions& options) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  if (options.verify) {
    ctx->set_verify_mode(asio::ssl::verify_peer, ec);
    ctx->set_default_verify_paths(ec);
    if (!options.ca_file.empty()) {
      ctx->load_verify_file(options.ca_file, ec);
      if (ec) return make_error(Errc::Tls, "cannot load CA file: " + ec.message(), options.ca_file);
    }
  } else {
    ctx->set_verify_mode(asio::ssl::verify_none, ec);
  }
  return ctx;
}

}  // namespace

Connection::Connection(asio::any_io_executor executor, std::string host, std::string peer, TlsOptions tls_options,
                       std::chrono::milliseconds timeout)
    : host_(std::move(host)),
      peer_(std::move(peer)),
      tls_options_(std::move(tls_options)),
      timeout_(timeout),
      socket_(executor) {}

Connection::Connection(Socket socket, std::string peer, std::chrono::milliseconds timeout)
    : peer_(std::move(peer)), timeout_(timeout), socket_(std::move(socket)), server_side_(true) {}

std::unique_ptr<Connection> Connection::accepted(asio::ip::tcp::socket socket,
                                                 std::shared_ptr<asio::ssl::context> server_tls,
                                                 std::chrono::milliseconds timeout) {
  boost::system::error_code ec;
  auto remote = socket.remote_endpoint(ec);
  std::string peer = ec ? std::string("client") : remote.address().to_string() + ":" + std::to_string(remote.port());
  socket.set_option(asio::ip::tcp::no_delay(true), ec);
  std::unique_ptr<Connection> conn(new Connection(Socket(std::move(socket)), std::move(peer), timeout));
  conn->ssl_context_ = std::move(server_tls);
  return conn;
}

std::unique_ptr<Connection> Connection::accepted(asio::local::stream_protocol::socket socket, const std::string& path,
                                                 std::chrono::milliseconds timeout) {
  return std::unique_ptr<Connection>(new Connection(Socket(std::move(socket)), "unix:" + path, timeout));
}

Result<std::shared_ptr<asio::ssl::context>> make_server_tls(const std::string& cert_file, const std::string& key_file) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_compression);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) return make_error(Errc::Tls, "cannot use the certificate: " + ec.message(), cert_file);
  ctx->use_private_key_file(key_file, asio::ssl::context::pem, ec);
  if (ec) return make_error(Errc::Tls, "cannot use the private key: " + ec.message(), key_file);
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
    return make_error(Errc::Tls, "the private key does not match the certificate", key_file);
  return ctx;
}

Error Connection::io_error(const boost::system::error_code& ec, std::string_view during) const {
  if (ec == asio::error::operation_aborted || ec == asio::error::timed_out)
    return make_error(Errc::Temp, "timed out " + std::string(during) + " after " +
                                      std::to_string(timeout_.count() / 1000) + " s", peer_);
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated)
    return make_error(Errc::Temp, std::string("connection closed by the ") + (server_side_ ? "client " : "server ") + std::string(during), peer_);
  if (ec.category() == asio::error::get_ssl_category()) {
    std::string message = "TLS error " + std::string(during) + ": " + ec.message();
    long verify = tls_ ? SSL_get_verify_result(tls_->native_handle()) : X509_V_OK;
    if (verify != X509_V_OK) message += " (certificate: " + std::string(X509_verify_cert_error_string(verify)) + ")";
    return make_error(Errc::Tls, message, peer_);
  }
  return make_error(Errc::Temp, ec.message() + " " + std::string(during), peer_);
}

Task<Result<std::unique_ptr<Connection>>> Connection::connect(asio::any_io_executor executor, std::string host,
                                                              std::uint16_t port, bool tls, TlsOptions tls_options,
                                                              std::chrono::milliseconds timeout) {
  std::string peer = host + ":" + std::to_string(port);
  std::unique_ptr<Connection> conn(new Connection(executor, host, peer, tls_options, timeout));

  asio::steady_timer timer(executor);
  timer.expires_after(timeout);
  asio::ip::tcp::resolver::results_type endpoints;
  boost::system::error_code numeric_ec;
  auto address = asio::ip::make_address(host, numeric_ec);
  if (!numeric_ec) {  // an IP address needs no resolver (its thread costs milliseconds)
    endpoints = asio::ip::tcp::resolver::results_type::create(asio::ip::tcp::endpoint(address, port), host,
                                                              std::to_string(port));
  } else {
    asio::ip::tcp::resolver resolver(executor);
    auto resolved = co_await (resolver.async_resolve(host, std::to_string(port), kTuple) || timer.async_wait(kTuple));
    if (resolved.index() == 1) co_return conn->io_error(asio::error::timed_out, "resolving the host name");
    auto [rec, found] = std::get<0>(resolved);
    if (rec) co_return make_error(Errc::Temp, "cannot resolve host name: " + rec.message(), peer);
    endpoints = std::move(found);
  }

  asio::ip::tcp::socket socket(executor);
  auto connected = co_await (asio::async_connect(socket, endpoints, kTuple) || timer.async_wait(kTuple));
  if (connected.index() == 1) co_return conn->io_error(asio::error::timed_out, "connecting");
  auto [cec, endpoint] = std::get<0>(connected);
  if (cec) co_return make_error(Errc::Temp, "cannot connect: " + cec.message(), peer);
  socket.set_option(asio::ip::tcp::no_delay(true));
  conn->socket_ = Socket(std::move(socket));
  if (tls) MF_CO_CHECK(co_await conn->handshake());
  co_return conn;
}

Task<Result<void>> Connection::handshake() {
  if (server_side_) {
    if (!ssl_context_) co_return make_error(Errc::Tls, "TLS is not configured", peer_);
    tls_ = std::make_unique<asio::ssl::stream<Socket&>>(socket_, *ssl_context_);
    co_return co_await run_handshake(asio::ssl::stream_base::server);
  }
  auto context = shared_context(tls_options_);
  if (!context) co_return context.error();
  ssl_context_ = *context;
  tls_ = std::make_unique<asio::ssl::stream<Socket&>>(socket_, *ssl_context_);
  SSL* ssl = tls_->native_handle();
  boost::system::error_code parse_ec;
  auto ip = asio::ip::make_address(host_, parse_ec);
  if (parse_ec) SSL_set_tlsext_host_name(ssl, host_.c_str());  // SNI only for names
  if (tls_options_.verify) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (parse_ec)
      X509_VERIFY_PARAM_set1_host(param, host_.c_str(), 0);
    else
      X509_VERIFY_PARAM_set1_ip_asc(param, ip.to_string().c_str());
  }
  MF_CO_CHECK(co_await run_handshake(asio::ssl::stream_base::client));
  if (!tls_options_.verify) log::warn("TLS certificate of " + peer_ + " not verified (--tls-insecure)");
  co_return Result<void>{};
}

Task<Result<void>> Connection::run_handshake(asio::ssl::stream_base::handshake_type side) {
  asio::steady_timer timer(socket_.get_executor());
  timer.expires_after(timeout_);
  auto result = co_await (tls_->async_handshake(side, kTuple) || timer.async_wait(kTuple));
  if (result.index() == 1) co_return io_error(asio::error::timed_out, "in the TLS handshake");
  auto [ec] = std::get<0>(result);
  if (ec) co_return io_error(ec, "in the TLS handshake");
  tls_active_ = true;
  co_return Result<void>{};
}

Task<Result<void>> Connection::start_tls() { co_return co_await handshake(); }

void Connection::start_compression() { deflate_ = std::make_unique<DeflateStreams>(); }

Task<Result<std::size_t>> Connection::read_some(char* buffer, std::size_t size) {
  if (!deflate_) co_return co_await read_raw(buffer, size);
  // A compressed read may inflate to nothing yet (half a block): read on.
  while (inflated_pos_ == inflated_.size()) {
    inflated_.clear();
    inflated_pos_ = 0;
    std::string raw(16384, '\0');
    MF_CO_TRY(n, co_await read_raw(raw.data(), raw.size()));
    raw.resize(n);
    auto inflated = deflate_->decompress(raw, inflated_);
    if (!inflated) co_return with_context(inflated.error(), peer_);
  }
  std::size_t n = std::min(size, inflated_.size() - inflated_pos_);
  std::memcpy(buffer, inflated_.data() + inflated_pos_, n);
  inflated_pos_ += n;
  co_return n;
}

Task<Result<void>> Connection::write(std::vector<std::string_view> buffers) {
  if (!deflate_) co_return co_await write_raw(std::move(buffers));
  std::string plain, compressed;
  for (auto b : buffers) plain += b;
  auto done = deflate_->compress(plain, compressed);
  if (!done) co_return with_context(done.error(), peer_);
  std::vector<std::string_view> one(1, compressed);
  co_return co_await write_raw(std::move(one));
}

Task<Result<std::size_t>> Connection::read_raw(char* buffer, std::size_t size) {
  asio::steady_timer timer(socket_.get_executor());
  timer.expires_after(timeout_);
  auto buf = asio::buffer(buffer, size);
  std::variant<std::tuple<boost::system::error_code, std::size_t>, std::tuple<boost::system::error_code>> result;
  if (tls_active_)
    result = co_await (tls_->async_read_some(buf, kTuple) || timer.async_wait(kTuple));
  else
    result = co_await (socket_.async_read_some(buf, kTuple) || timer.async_wait(kTuple));
  if (result.index() == 1) co_return io_error(asio::error::timed_out, "waiting for data");
  auto [ec, n] = std::get<0>(result);
  if (ec) co_return io_error(ec, "while reading");
  co_return n;
}

Task<Result<void>> Connection::write_raw(std::vector<std::string_view> buffers) {
  std::vector<asio::const_buffer> bufs;
  bufs.reserve(buffers.size());
  for (auto b : buffers) bufs.emplace_back(b.data(), b.size());
  asio::steady_timer timer(socket_.get_executor());
  timer.expires_after(timeout_);
  std::variant<std::tuple<boost::system::error_code, std::size_t>, std::tuple<boost::system::error_code>> result;
  if (tls_active_)
    result = co_await (asio::async_write(*tls_, bufs, kTuple) || timer.async_wait(kTuple));
  else
    result = co_await (asio::async_write(socket_, bufs, kTuple) || timer.async_wait(kTuple));
  if (result.index() == 1) co_return io_error(asio::error::timed_out, "while writing");
  auto [ec, n] = std::get<0>(result);
  if (ec) co_return io_error(ec, "while writing");
  co_return Result<void>{};
}

void Connection::cancel() {
  boost::system::error_code ec;
  socket_.cancel(ec);
}

void Connection::close() {
  boost::system::error_code ec;
  socket_.shutdown(Socket::shutdown_both, ec);
  socket_.close(ec);
}

}  // namespace mf::net
