#include "migrate/folder_map.h"

#include "imap/mutf7.h"
#include "imap/value.h"

#include <vector>

namespace mf::migrate {
namespace {

std::vector<std::string> split(const std::string& s, std::optional<char> delimiter) {
  std::vector<std::string> out;
  if (!delimiter) return {s};
  std::size_t start = 0;
  for (;;) {
    std::size_t pos = s.find(*delimiter, start);
    out.push_back(s.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
    if (pos == std::string::npos) break;
    start = pos + 1;
  }
  return out;
}

}  // namespace

Result<std::vector<std::string>> folder_levels(const std::string& wire_name, std::optional<char> delimiter) {
  auto decoded = imap::mutf7_decode(wire_name);
  if (!decoded) return with_context(decoded.error(), "source folder");
  auto levels = split(*decoded, delimiter);
  if (imap::iequals(levels.front(), "INBOX")) levels.front() = "INBOX";
  return levels;
}

std::string display_name(const std::vector<std::string>& levels) {
  std::string out;
  for (std::size_t i = 0; i < levels.size(); ++i) out += (i ? "/" : "") + levels[i];
  return out;
}

Result<MappedName> target_name(const std::vector<std::string>& levels, std::optional<char> target_delimiter) {
  MappedName out;
  std::vector<std::string> created;  // the levels as the target gets them: what reports name
  std::string utf8;
  for (std::size_t i = 0; i < levels.size(); ++i) {
    std::string level = levels[i];
    if (target_delimiter) {
      for (auto& c : level) {
        if (c == *target_delimiter) {
          c = '_';
          out.renamed_part = true;
        }
      }
    }
    if (i) utf8 += target_delimiter ? *target_delimiter : '/';
    utf8 += level;
    created.push_back(std::move(level));
  }
  out.display = display_name(created);
  auto encoded = imap::mutf7_encode(utf8);
  if (!encoded) return encoded.error();
  out.target = std::move(*encoded);
  return out;
}

Result<MappedName> map_folder(const std::string& source_name, std::optional<char> source_delimiter,
                              std::optional<char> target_delimiter) {
  MF_TRY(levels, folder_levels(source_name, source_delimiter));
  return target_name(levels, target_delimiter);
}

}  // namespace mf::migrate
