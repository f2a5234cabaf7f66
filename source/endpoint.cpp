#include "source/endpoint.h"

#include "core/secret.h"
#include "source/local_source.h"
#include "source/pop3_source.h"

namespace mf::source {

namespace {

Result<std::string> oauth_token(const Endpoint& endpoint) {
  // Not setenv: bulk runs log in on several threads at once.
  MF_TRY(out, command_output("export MAILFERRY_USER=" + shell_quote(endpoint.url.user) + "; " +
                             endpoint.oauth_token_command));
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r' || out.back() == ' ')) out.pop_back();
  if (out.empty()) return make_error(Errc::Auth, "printed no token", endpoint.oauth_token_command);
  return out;
}

}  // namespace

Task<Result<std::unique_ptr<imapclient::Client>>> open_session(net::asio::any_io_executor executor,
                                                               const Endpoint& endpoint, std::string_view side) {
  auto options = endpoint.options;
  options.role = side;
  auto client = co_await imapclient::Client::connect(executor, endpoint.url, options);
  if (!client) co_return with_context(client.error(), side);
  // Not a ?: of two co_awaits: GCC 12 destroys such a temporary twice.
  Result<void> login = Result<void>{};
  if (!endpoint.oauth_token_command.empty()) {
    auto token = oauth_token(endpoint);
    if (!token) co_return with_context(token.error(), std::string(side) + " OAuth token command");
    login = co_await (*client)->login_oauth(endpoint.url.user, *token);
  } else if (endpoint.admin.empty())
    login = co_await (*client)->login(endpoint.url.user, endpoint.password);
  else
    login = co_await (*client)->login(endpoint.admin, endpoint.password, endpoint.url.user);
  if (!login) co_return with_context(login.error(), side);
  auto compressed = co_await (*client)->compress();
  if (!compressed) co_return with_context(compressed.error(), side);
  co_return std::move(*client);
}

Task<Result<std::unique_ptr<MailSource>>> open_source(net::asio::any_io_executor executor, const Endpoint& endpoint,
                                                     UidMap* state) {
  if (!endpoint.store.empty()) co_return open_local_source(endpoint.store, state);
  if (endpoint.pop3) co_return co_await open_pop3_source(executor, endpoint, state);
  MF_CO_TRY(client, co_await open_session(executor, endpoint, "source"));
  co_return std::unique_ptr<MailSource>(std::make_unique<ImapSource>(std::move(client)));
}

std::string account_name(const Endpoint& from) {
  return from.store.empty() ? from.url.user + "@" + from.url.host : from.store;
}

std::string source_name(const Endpoint& from) {
  if (!from.store.empty()) return from.store;
  std::string scheme = from.pop3 ? (from.url.tls ? "pop3s" : "pop3") : (from.url.tls ? "imaps" : "imap");
  return scheme + "://" + from.url.user + "@" + from.url.host + ":" + std::to_string(from.url.port);
}

std::string account_key(const Endpoint& from, const Endpoint& to) {
  // Scheme and port are left out: switching imap:// to imaps:// (or going
  // through a proxy) is still the same mailbox, and must not copy it again.
  return account_name(from) + " -> " + to.url.user + "@" + to.url.host;
}

}  // namespace mf::source
