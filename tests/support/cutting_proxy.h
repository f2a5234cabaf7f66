// A TCP proxy on 127.0.0.1 that forwards to a server and cuts every
// connection once the server has sent cut_after bytes through it: a server
// that "closes mid-FETCH", for tests of dropped connections. Connections are
// relayed concurrently, each on its own thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace mf::test {

class CuttingProxy {
 public:
  CuttingProxy(std::uint16_t upstream_port, std::uint64_t cut_after);
  ~CuttingProxy();
  std::uint16_t port() const { return port_; }
  std::uint64_t cuts() const { return cuts_; }
  std::uint64_t relayed() const { return relayed_; }  // bytes the server sent through, all connections

 private:
  void serve();
  void relay(int client);

  std::uint16_t upstream_port_;
  std::uint64_t cut_after_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> cuts_{0};
  std::atomic<std::uint64_t> relayed_{0};
  std::thread thread_;
  std::mutex relays_mutex_;
  std::vector<std::thread> relays_;  // one per connection, as a server serves them
};

}  // namespace mf::test
