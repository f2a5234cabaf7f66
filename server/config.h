// mailferry serve's settings, from the command line and from a TOML file
// (--config FILE, docs/serve.md): every key of the file is the flag of the
// same name with '_' for '-', and a flag given on the command line wins.
#pragma once

#include "core/error.h"
#include "server/server.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mf::server {

struct ServeSettings {
  std::string data;
  std::vector<std::string> imap, imaps, lmtp;  // HOST:PORT; an LMTP path starting with '/' is a Unix socket
  std::string tls_cert, tls_key;
  bool plaintext_login = false;
  std::uint64_t append_limit = 64ull << 20;
  std::uint64_t quota = 0;  // bytes per user; 0: none
  std::string lmtp_socket_mode = "0660";
};

// Reads a settings file. An unknown key, a value of the wrong type or a TOML
// syntax error is Errc::Usage naming the file and the line.
[[nodiscard]] Result<ServeSettings> load_serve_settings(const std::string& path);
// The same from text (path only names it in errors).
[[nodiscard]] Result<ServeSettings> parse_serve_settings(std::string_view text, const std::string& path);

// Checks the settings and turns them into the server's options.
[[nodiscard]] Result<ServeOptions> to_serve_options(const ServeSettings& settings);

}  // namespace mf::server
