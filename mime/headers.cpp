#include "mime/headers.h"

#include "mime/gmime.h"

#include <strings.h>

namespace mf::mime {

Headers::Headers(std::string_view raw) {
  std::size_t pos = 0;
  bool broken = false;
  while (pos < raw.size()) {
    auto eol = raw.find('\n', pos);
    if (eol == std::string_view::npos) eol = raw.size(), broken = true;  // no end of the header section
    std::string_view line = raw.substr(pos, eol - pos);
    pos = eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      well_formed_ = !broken && !fields_.empty();
      return;
    }
    if (line[0] == ' ' || line[0] == '\t') {  // continuation: unfolded into the field before it
      if (fields_.empty()) broken = true;
      else fields_.back().second.append(line);
      continue;
    }
    auto colon = line.find(':');
    bool name_ok = colon != std::string_view::npos && colon > 0;
    for (std::size_t i = 0; name_ok && i < colon; ++i)
      if (line[i] <= 32 || line[i] >= 127) name_ok = false;
    if (!name_ok) {
      broken = true;
      if (colon == std::string_view::npos) continue;
    }
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    fields_.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
}

std::string Headers::value(std::string_view name) const {
  for (const auto& [n, v] : fields_)
    if (n.size() == name.size() && strncasecmp(n.data(), name.data(), n.size()) == 0) return v;
  return {};
}

std::vector<std::string> Headers::values(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : fields_)
    if (n.size() == name.size() && strncasecmp(n.data(), name.data(), n.size()) == 0) out.push_back(v);
  return out;
}

std::vector<Address> Headers::addresses(std::string_view name) const {
  std::vector<Address> out;
  for (const auto& v : values(name)) {
    detail::Owned<InternetAddressList> list(internet_address_list_parse(detail::parser_options(), v.c_str()));
    detail::append_addresses(list.get(), out);
  }
  return out;
}

std::vector<std::string> Headers::domains(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& a : addresses(name)) {
    auto at = a.address.rfind('@');
    if (at == std::string::npos) continue;
    std::string domain = lower(std::string_view(a.address).substr(at + 1));
    while (!domain.empty() && domain.back() == '.') domain.pop_back();
    if (!domain.empty()) out.push_back(std::move(domain));
  }
  return out;
}

std::size_t header_section_end(std::string_view raw) {
  std::size_t pos = 0;
  while (pos < raw.size()) {
    auto eol = raw.find('\n', pos);
    if (eol == std::string_view::npos) return raw.size();
    bool empty = eol == pos || (eol == pos + 1 && raw[pos] == '\r');
    pos = eol + 1;
    if (empty) return pos;
  }
  return raw.size();
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string decoded_text(std::string_view value) {
  if (value.find("=?") == std::string_view::npos) return std::string(value);
  std::string text(value);
  char* decoded = g_mime_utils_header_decode_text(detail::parser_options(), text.c_str());
  if (!decoded) return text;
  std::string out(decoded);
  g_free(decoded);
  return out;
}

}  // namespace mf::mime
