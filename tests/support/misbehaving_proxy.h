// A TCP proxy on 127.0.0.1 in front of a real server that misbehaves as a
// test asks: it cuts every connection once the server has sent cut_after
// bytes through it (a server that "closes mid-FETCH"), and it lets a rule
// rewrite, drop or repeat what the server sends, one whole response at a time
// (a line with the literals it announces), or change the bytes a client sends
// (a server that alters messages on APPEND). Connections are relayed
// concurrently, each on its own thread; rules are called from those threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mf::test {

struct Misbehaviour {
  std::uint64_t cut_after = UINT64_MAX;  // bytes from the server, per connection
  // Given one response from the server as sent, returns what the client gets
  // instead ("" drops it). Unset: bytes pass as they come.
  std::function<std::string(const std::string& response)> rewrite;
  // Changes the bytes the client sends, in place (same length or not).
  std::function<void(std::string& bytes)> from_client;
};

class MisbehavingProxy {
 public:
  MisbehavingProxy(std::uint16_t upstream_port, Misbehaviour misbehaviour);
  ~MisbehavingProxy();
  std::uint16_t port() const { return port_; }
  std::uint64_t cuts() const { return cuts_; }
  std::uint64_t relayed() const { return relayed_; }  // bytes the server sent through, all connections

 private:
  void serve();
  void relay(int client);

  std::uint16_t upstream_port_;
  Misbehaviour misbehaviour_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> cuts_{0};
  std::atomic<std::uint64_t> relayed_{0};
  std::thread thread_;
  std::mutex relays_mutex_;
  std::vector<std::thread> relays_;  // one per connection, as a server serves them
};

// The length of the first complete response in bytes (a line and every
// literal it announces, RFC 9051 §4.3), or 0 when more bytes are needed.
std::size_t complete_response_length(const std::string& bytes);

}  // namespace mf::test
