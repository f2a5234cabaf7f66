#include "tests/support/misbehaving_proxy.h"

#include <algorithm>
#include <cctype>

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

bool write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

std::size_t complete_response_length(const std::string& bytes) {
  std::size_t pos = 0;
  for (;;) {
    std::size_t nl = bytes.find('\n', pos);
    if (nl == std::string::npos) return 0;
    std::size_t end = nl > pos && bytes[nl - 1] == '\r' ? nl - 1 : nl;
    std::size_t open = bytes.rfind('{', end);
    if (end == 0 || bytes[end - 1] != '}' || open == std::string::npos || open < pos) return nl + 1;
    std::string size_text = bytes.substr(open + 1, end - 1 - open - 1);
    if (!size_text.empty() && size_text.back() == '+') size_text.pop_back();
    if (size_text.empty() || size_text.size() > 12 ||
        !std::all_of(size_text.begin(), size_text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
      return nl + 1;
    pos = nl + 1 + std::stoull(size_text);
    if (pos > bytes.size()) return 0;
  }
}

MisbehavingProxy::MisbehavingProxy(std::uint16_t upstream_port, Misbehaviour misbehaviour)
    : upstream_port_(upstream_port), misbehaviour_(std::move(misbehaviour)) {
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

MisbehavingProxy::~MisbehavingProxy() {
  stop_ = true;
  thread_.join();
  for (auto& relay : relays_) relay.join();
  ::close(listener_);
}

void MisbehavingProxy::serve() {
  while (!stop_) {
    pollfd p{listener_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) continue;
    std::lock_guard lock(relays_mutex_);
    relays_.emplace_back([this, client] { relay(client); });
  }
}

void MisbehavingProxy::relay(int client) {
  int server = ::socket(AF_INET, SOCK_STREAM, 0);
  auto addr = loopback(upstream_port_);
  if (::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(client);
    ::close(server);
    return;
  }
  const auto& rules = misbehaviour_;
  std::uint64_t from_server = 0;
  std::string pending;  // what the server sent of a response not yet complete
  char buf[16384];
  // Sends bytes to the client, cutting the connection at cut_after; false once cut.
  auto to_client = [&](const char* data, std::size_t size) {
    std::uint64_t allowed = rules.cut_after > from_server ? rules.cut_after - from_server : 0;
    std::size_t send = static_cast<std::size_t>(std::min<std::uint64_t>(allowed, size));
    if (send > 0 && !write_all(client, data, send)) return false;
    from_server += send;
    relayed_ += send;
    if (from_server >= rules.cut_after) {
      ++cuts_;
      return false;
    }
    return true;
  };
  bool open = true;
  while (!stop_ && open) {
    pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    if (::poll(fds, 2, 50) <= 0) continue;
    if (fds[0].revents) {
      ssize_t n = ::read(client, buf, sizeof buf);
      if (n <= 0) break;
      std::string bytes(buf, static_cast<std::size_t>(n));
      if (rules.from_client) rules.from_client(bytes);
      if (!write_all(server, bytes.data(), bytes.size())) break;
    }
    if (fds[1].revents) {
      ssize_t n = ::read(server, buf, sizeof buf);
      if (n <= 0) break;
      if (!rules.rewrite) {
        open = to_client(buf, static_cast<std::size_t>(n));
        continue;
      }
      pending.append(buf, static_cast<std::size_t>(n));
      while (open) {
        std::size_t length = complete_response_length(pending);
        if (length == 0) break;
        std::string out = rules.rewrite(pending.substr(0, length));
        pending.erase(0, length);
        open = to_client(out.data(), out.size());
      }
    }
  }
  ::close(client);
  ::close(server);
}

}  // namespace mf::test
