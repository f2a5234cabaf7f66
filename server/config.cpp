#include "server/config.h"

#include "core/atomic_file.h"

#include <toml++/toml.h>

#include <charconv>
#include <functional>
#include <map>

namespace mf::server {
namespace {

std::string where(const std::string& path, const toml::node& node) {
  return path + " line " + std::to_string(node.source().begin.line);
}

Error wrong_type(const std::string& path, std::string_view key, const toml::node& node, std::string_view wanted) {
  return make_error(Errc::Usage, "'" + std::string(key) + "' must be " + std::string(wanted), where(path, node));
}

using Reader = std::function<Result<void>(const toml::node&)>;

}  // namespace

Result<ServeSettings> parse_serve_settings(std::string_view text, const std::string& path) {
  toml::table table;
  try {
    table = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return make_error(Errc::Usage, "not a valid TOML file: " + std::string(e.description()),
                      path + " line " + std::to_string(e.source().begin.line));
  }
  ServeSettings s;
  auto text_key = [&](std::string_view key, std::string& out) -> Reader {
    return [&, key](const toml::node& node) -> Result<void> {
      if (!node.is_string()) return wrong_type(path, key, node, "a string");
      out = *node.value<std::string>();
      return {};
    };
  };
  // A list of addresses: one string, or an array of strings.
  auto list_key = [&](std::string_view key, std::vector<std::string>& out) -> Reader {
    return [&, key](const toml::node& node) -> Result<void> {
      out.clear();
      if (node.is_string()) {
        out.push_back(*node.value<std::string>());
        return {};
      }
      const toml::array* array = node.as_array();
      if (!array) return wrong_type(path, key, node, "a string or an array of strings");
      for (const auto& item : *array) {
        if (!item.is_string()) return wrong_type(path, key, item, "a string or an array of strings");
        out.push_back(*item.value<std::string>());
      }
      return {};
    };
  };
  auto bytes_key = [&](std::string_view key, std::uint64_t& out, std::int64_t least) -> Reader {
    return [&, key, least](const toml::node& node) -> Result<void> {
      auto value = node.is_integer() ? node.value<std::int64_t>() : std::nullopt;
      if (!value || *value < least)
        return wrong_type(path, key, node, least > 0 ? "a positive number of bytes" : "a number of bytes (0: none)");
      out = static_cast<std::uint64_t>(*value);
      return {};
    };
  };
  const std::map<std::string, Reader, std::less<>> keys = {
      {"data", text_key("data", s.data)},
      {"imap", list_key("imap", s.imap)},
      {"imaps", list_key("imaps", s.imaps)},
      {"lmtp", list_key("lmtp", s.lmtp)},
      {"tls_cert", text_key("tls_cert", s.tls_cert)},
      {"tls_key", text_key("tls_key", s.tls_key)},
      {"lmtp_socket_mode", text_key("lmtp_socket_mode", s.lmtp_socket_mode)},
      {"plaintext_login",
       [&](const toml::node& node) -> Result<void> {
         if (!node.is_boolean()) return wrong_type(path, "plaintext_login", node, "true or false");
         s.plaintext_login = *node.value<bool>();
         return {};
       }},
      {"append_limit", bytes_key("append_limit", s.append_limit, 1)},
      {"quota", bytes_key("quota", s.quota, 0)},
  };
  for (const auto& [key, node] : table) {
    auto reader = keys.find(key.str());
    // A typo must not pass for a setting left at its default.
    if (reader == keys.end())
      return make_error(Errc::Usage, "unknown setting '" + std::string(key.str()) + "'", where(path, node));
    MF_CHECK(reader->second(node));
  }
  return s;
}

Result<ServeSettings> load_serve_settings(const std::string& path) {
  MF_TRY(text, read_file(path));
  return parse_serve_settings(text, path);
}

Result<ServeOptions> to_serve_options(const ServeSettings& s) {
  if (s.data.empty()) return make_error(Errc::Usage, "serve needs a data directory (--data DIR, or data = in the settings)");
  ServeOptions options;
  options.data_dir = s.data;
  options.tls_cert = s.tls_cert;
  options.tls_key = s.tls_key;
  options.plaintext_login = s.plaintext_login;
  options.append_limit = s.append_limit;
  options.quota = s.quota;
  for (const auto& text : s.imap) {
    MF_TRY(address, parse_listen_address(text, false));
    options.imap.push_back(address);
  }
  for (const auto& text : s.imaps) {
    MF_TRY(address, parse_listen_address(text, true));
    options.imap.push_back(address);
  }
  for (const auto& text : s.lmtp) {
    if (!text.empty() && text.front() == '/') {
      options.lmtp.push_back(ListenAddress{.socket_path = text});
      continue;
    }
    MF_TRY(address, parse_listen_address(text, false));
    options.lmtp.push_back(address);
  }
  unsigned mode = 0;
  const std::string& m = s.lmtp_socket_mode;
  auto [end, ec] = std::from_chars(m.data(), m.data() + m.size(), mode, 8);
  if (m.empty() || ec != std::errc() || end != m.data() + m.size() || mode > 0777)
    return make_error(Errc::Usage, "the LMTP socket's mode is not an octal file mode such as 0660", m);
  options.lmtp_socket_mode = mode;
  return options;
}

}  // namespace mf::server
