#include "archive/headers.h"

#include <strings.h>

namespace mf::archive {

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

std::vector<std::string> Headers::domains(std::string_view name) const {
  std::vector<std::string> out;
  auto is_domain_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
  };
  for (const auto& v : values(name)) {
    for (auto at = v.find('@'); at != std::string::npos; at = v.find('@', at + 1)) {
      std::size_t end = at + 1;
      while (end < v.size() && is_domain_char(v[end])) ++end;
      std::string domain = lower(std::string_view(v).substr(at + 1, end - at - 1));
      while (!domain.empty() && domain.back() == '.') domain.pop_back();
      if (!domain.empty()) out.push_back(std::move(domain));
    }
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

bool glob_match(std::string_view pattern, std::string_view text) {
  // Iterative matcher with one backtrack point for the last '*'.
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  auto same = [](char a, char b) {
    return (a >= 'A' && a <= 'Z' ? a - 'A' + 'a' : a) == (b >= 'A' && b <= 'Z' ? b - 'A' + 'a' : b);
  };
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || (pattern[p] != '*' && same(pattern[p], text[t])))) {
      ++p, ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++, mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1, t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace mf::archive
