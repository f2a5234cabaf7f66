#include "migrate/endpoint.h"

namespace mf::migrate {

Task<Result<std::unique_ptr<imapclient::Client>>> open_session(net::asio::any_io_executor executor,
                                                               const Endpoint& endpoint, std::string_view side) {
  auto client = co_await imapclient::Client::connect(executor, endpoint.url, endpoint.options);
  if (!client) co_return with_context(client.error(), side);
  // Not a ?: of two co_awaits: GCC 12 destroys such a temporary twice.
  Result<void> login = Result<void>{};
  if (endpoint.admin.empty())
    login = co_await (*client)->login(endpoint.url.user, endpoint.password);
  else
    login = co_await (*client)->login(endpoint.admin, endpoint.password, endpoint.url.user);
  if (!login) co_return with_context(login.error(), side);
  co_return std::move(*client);
}

}  // namespace mf::migrate
