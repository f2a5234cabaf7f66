#include "tests/support/cutting_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mf::test {
namespace {

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

}  // namespace

CuttingProxy::CuttingProxy(std::uint16_t upstream_port, std::uint64_t cut_after)
    : upstream_port_(upstream_port), cut_after_(cut_after) {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  auto addr = loopback(0);
  ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::listen(listener_, 8);
  socklen_t len = sizeof addr;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { serve(); });
}

CuttingProxy::~CuttingProxy() {
  stop_ = true;
  thread_.join();
  for (auto& relay : relays_) relay.join();
  ::close(listener_);
}

void CuttingProxy::serve() {
  while (!stop_) {
    pollfd p{listener_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) continue;
    std::lock_guard lock(relays_mutex_);
    relays_.emplace_back([this, client] { relay(client); });
  }
}

void CuttingProxy::relay(int client) {
  int server = ::socket(AF_INET, SOCK_STREAM, 0);
  auto addr = loopback(upstream_port_);
  if (::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(client);
    ::close(server);
    return;
  }
  std::uint64_t from_server = 0;
  char buf[16384];
  while (!stop_) {
    pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    if (::poll(fds, 2, 50) <= 0) continue;
    if (fds[0].revents) {
      ssize_t n = ::read(client, buf, sizeof buf);
      if (n <= 0 || ::write(server, buf, n) != n) break;
    }
    if (fds[1].revents) {
      ssize_t n = ::read(server, buf, sizeof buf);
      if (n <= 0) break;
      std::uint64_t allowed = cut_after_ > from_server ? cut_after_ - from_server : 0;
      ssize_t send = static_cast<ssize_t>(std::min<std::uint64_t>(allowed, static_cast<std::uint64_t>(n)));
      if (send > 0 && ::write(client, buf, send) != send) break;
      from_server += static_cast<std::uint64_t>(send);
      relayed_ += static_cast<std::uint64_t>(send);
      if (from_server >= cut_after_) {
        ++cuts_;
        break;
      }
    }
  }
  ::close(client);
  ::close(server);
}

}  // namespace mf::test
