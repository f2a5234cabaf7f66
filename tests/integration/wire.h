// A raw IMAP or LMTP client for the server's transcript tests: it writes
// what a test says and reads what the server answers, as text.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "tests/result_printer.h"

namespace mf::test {

// A client that writes what a test says and reads what the server answers, as text.
class Wire {
 public:
  explicit Wire(std::uint16_t port, const std::string& greeting_prefix = "* OK") {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    start(greeting_prefix);
  }
  // On a Unix socket (LMTP).
  Wire(const std::string& socket_path, const std::string& greeting_prefix) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    REQUIRE(socket_path.size() < sizeof addr.sun_path);
    std::memcpy(addr.sun_path, socket_path.data(), socket_path.size());
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    start(greeting_prefix);
  }
  ~Wire() { ::close(fd_); }

  void send(const std::string& bytes) { REQUIRE(::write(fd_, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size())); }
  // Reads until a line starts with prefix (a tag and a space, "+ ", "* BYE"); everything read so far.
  std::string until(const std::string& prefix) {
    for (;;) {
      std::size_t start = 0;
      while (true) {
        std::size_t end = buffer_.find("\r\n", start);
        if (end == std::string::npos) break;
        if (buffer_.compare(start, prefix.size(), prefix) == 0) {
          std::string out = buffer_.substr(0, end + 2);
          buffer_.erase(0, end + 2);
          return out;
        }
        start = end + 2;
      }
      char chunk[65536];
      ssize_t n = ::read(fd_, chunk, sizeof chunk);
      if (n <= 0) {
        std::string out = buffer_;
        buffer_.clear();
        return out + "<closed>";
      }
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }
  // Sends "TAG COMMAND\r\n" and returns the answer up to the tagged line.
  std::string run(const std::string& tag, const std::string& command) {
    send(tag + " " + command + "\r\n");
    return until(tag + " ");
  }
  bool closed() {
    char c;
    return ::read(fd_, &c, 1) == 0;
  }

  std::string greeting;

 private:
  void start(const std::string& greeting_prefix) {
    timeval tv{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    greeting = until(greeting_prefix);
  }

  int fd_ = -1;
  std::string buffer_;
};

inline bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A directory for one server's test (kept for the log when a test fails).
inline std::string temp_dir() {
  char templ[] = "/tmp/mailferry-serve-XXXXXX";
  std::string dir = ::mkdtemp(templ);
  ::chmod(dir.c_str(), 0755);
  return dir;
}

}  // namespace mf::test
