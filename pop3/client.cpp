#include "pop3/client.h"

#include "core/base64.h"
#include "sasl/mechanisms.h"

#include <charconv>
#include <map>

namespace mf::pop3 {
namespace {

constexpr std::size_t kMaxLine = 64 * 1024;

std::vector<std::string> words(std::string_view line) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < line.size()) {
    auto start = line.find_first_not_of(' ', pos);
    if (start == std::string_view::npos) break;
    auto end = line.find(' ', start);
    out.emplace_back(line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    pos = end == std::string_view::npos ? line.size() : end;
  }
  return out;
}

template <class T>
bool number(const std::string& text, T& out) {
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && p == text.data() + text.size();
}

}  // namespace

Task<Result<std::string>> Client::read_line() {
  for (;;) {
    auto nl = buffer_.find('\n', pos_);
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(pos_, nl + 1 - pos_);
      pos_ = nl + 1;
      if (pos_ > 65536) {  // keep the buffer small
        buffer_.erase(0, pos_);
        pos_ = 0;
      }
      co_return line;
    }
    if (buffer_.size() - pos_ > kMaxLine)
      co_return make_error(Errc::Protocol, "line longer than 64 KB from the POP3 server", conn_->peer());
    char chunk[16384];
    MF_CO_TRY(n, co_await conn_->read_some(chunk, sizeof chunk));
    buffer_.append(chunk, n);
  }
}

Task<Result<std::string>> Client::command(const std::string& line, const std::string& name) {
  if (!line.empty()) {
    std::string wire = line + "\r\n";
    std::vector<std::string_view> buffers(1, wire);
    MF_CO_CHECK(co_await conn_->write(std::move(buffers)));
  }
  MF_CO_TRY(answer, co_await read_line());
  while (!answer.empty() && (answer.back() == '\n' || answer.back() == '\r')) answer.pop_back();
  if (answer.rfind("+OK", 0) == 0) co_return answer.size() > 3 ? answer.substr(4) : std::string();
  Errc code = answer.rfind("-ERR", 0) == 0 ? Errc::Perm : Errc::Protocol;
  if (answer.find("[AUTH]") != std::string::npos) code = Errc::Auth;
  if (answer.find("[SYS/TEMP]") != std::string::npos || answer.find("[IN-USE]") != std::string::npos) code = Errc::Temp;
  co_return make_error(code, "server answered " + answer, conn_->peer() + " " + name);
}

Task<Result<std::string>> Client::read_multiline() {
  std::string out;
  for (;;) {
    MF_CO_TRY(line, co_await read_line());
    if (line == ".\r\n" || line == ".\n") co_return out;
    if (line.size() > 1 && line[0] == '.') line.erase(0, 1);  // RFC 1939 §3: byte-stuffing
    out += line;
  }
}

Task<Result<std::vector<std::string>>> Client::capabilities() {
  std::vector<std::string> out;
  auto ok = co_await command("CAPA", "CAPA");
  if (!ok) co_return out;  // RFC 1939 servers without CAPA
  MF_CO_TRY(text, co_await read_multiline());
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find("\r\n", pos);
    out.push_back(text.substr(pos, end - pos));
    pos = end == std::string::npos ? text.size() : end + 2;
  }
  co_return out;
}

Task<Result<std::unique_ptr<Client>>> Client::connect(net::asio::any_io_executor executor,
                                                      const net::ServerUrl& url,
                                                      const net::ConnectOptions& options) {
  MF_CO_TRY(conn, co_await net::Connection::connect(executor, url.host, url.port, url.tls, options.tls,
                                                    options.timeout));
  std::unique_ptr<Client> client(new Client(std::move(conn)));
  const std::string greeting;
  MF_CO_CHECK(co_await client->command(greeting, "greeting"));
  if (!url.tls && options.starttls) {
    MF_CO_TRY(caps, co_await client->capabilities());
    bool stls = false;
    for (const auto& c : caps) stls = stls || c == "STLS";
    if (stls) {
      MF_CO_CHECK(co_await client->command("STLS", "STLS"));
      if (client->pos_ != client->buffer_.size())
        co_return make_error(Errc::Protocol, "data injected after STLS", client->peer());
      MF_CO_CHECK(co_await client->conn_->start_tls());
    }
  }
  co_return client;
}

Task<Result<void>> Client::login(const std::string& user, const std::string& password) {
  MF_CO_TRY(caps, co_await capabilities());
  bool plain = false;
  for (const auto& c : caps)
    if (c.rfind("SASL", 0) == 0)
      for (const auto& w : words(c)) plain = plain || w == "PLAIN";
  Result<std::string> result = std::string();
  if (plain) {
    const std::string auth = "AUTH PLAIN " + base64_encode(sasl::plain_message({{}, user, password}));
    result = co_await command(auth, "AUTH PLAIN");
  } else {
    const std::string user_line = "USER " + user;
    result = co_await command(user_line, "USER");
    if (result) {
      const std::string pass_line = "PASS " + password;
      result = co_await command(pass_line, "PASS");
    }
  }
  if (!result) {
    Error e = result.error();
    if (e.code == Errc::Perm || e.code == Errc::Protocol) e.code = Errc::Auth;
    e.message = "login as " + user + " failed: " + e.message;
    co_return e;
  }
  co_return Result<void>{};
}

Task<Result<std::vector<Listing>>> Client::list() {
  auto uidl = co_await command("UIDL", "UIDL");
  if (!uidl) {
    Error e = uidl.error();
    e.message = "the POP3 server has no UIDL, so messages cannot be told apart from run to run: " + e.message;
    co_return e;
  }
  MF_CO_TRY(uidl_text, co_await read_multiline());
  MF_CO_CHECK(co_await command("LIST", "LIST"));
  MF_CO_TRY(list_text, co_await read_multiline());
  std::map<std::uint32_t, Listing> by_number;
  auto parse = [&](const std::string& text, bool sizes) -> Result<void> {
    std::size_t pos = 0;
    while (pos < text.size()) {
      auto end = text.find("\r\n", pos);
      auto w = words(std::string_view(text).substr(pos, end - pos));
      pos = end == std::string::npos ? text.size() : end + 2;
      if (w.empty()) continue;
      std::uint32_t n = 0;
      if (w.size() < 2 || !number(w[0], n))
        return make_error(Errc::Protocol, "malformed " + std::string(sizes ? "LIST" : "UIDL") + " line", conn_->peer());
      auto& l = by_number[n];
      l.number = n;
      if (!sizes) l.uidl = w[1];
      else if (!number(w[1], l.size))
        return make_error(Errc::Protocol, "malformed LIST size \"" + w[1] + "\"", conn_->peer());
    }
    return {};
  };
  MF_CO_CHECK(parse(uidl_text, false));
  MF_CO_CHECK(parse(list_text, true));
  std::vector<Listing> out;
  for (auto& [n, l] : by_number)
    if (!l.uidl.empty()) out.push_back(std::move(l));
  co_return out;
}

Task<Result<std::string>> Client::retrieve(std::uint32_t number) {
  const std::string line = "RETR " + std::to_string(number);
  MF_CO_CHECK(co_await command(line, "RETR"));
  co_return co_await read_multiline();
}

Task<Result<void>> Client::quit() {
  MF_CO_CHECK(co_await command("QUIT", "QUIT"));
  co_return Result<void>{};
}

}  // namespace mf::pop3
