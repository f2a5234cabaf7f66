#include "migrate/message_info.h"

#include "core/sha256.h"
#include "imap/value.h"

namespace mf::migrate {
namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

MessageInfo read_message_info(std::string_view raw) {
  MessageInfo out;
  std::string* current = nullptr;
  std::size_t pos = 0;
  while (pos < raw.size()) {
    std::size_t eol = raw.find('\n', pos);
    std::string_view line = raw.substr(pos, eol == std::string_view::npos ? raw.npos : eol - pos);
    pos = eol == std::string_view::npos ? raw.size() : eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // end of header
    if (line[0] == ' ' || line[0] == '\t') {  // folded continuation (RFC 5322 §2.2.3)
      if (current) *current += " " + trim(line);
      continue;
    }
    current = nullptr;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = line.substr(0, colon);
    if (imap::iequals(name, "Message-ID") && out.message_id.empty()) current = &out.message_id;
    if (imap::iequals(name, "Subject") && out.subject.empty()) current = &out.subject;
    if (imap::iequals(name, "Date") && out.date.empty()) current = &out.date;
    if (current) *current = trim(line.substr(colon + 1));
  }
  if (out.subject.size() > 120) out.subject = out.subject.substr(0, 117) + "...";
  return out;
}

bool has_lone_cr(std::string_view raw) {
  for (std::size_t cr = raw.find('\r'); cr != std::string_view::npos; cr = raw.find('\r', cr + 1))
    if (cr + 1 >= raw.size() || raw[cr + 1] != '\n') return true;
  return false;
}

std::string line_ending_blind_hash(std::string_view raw) {
  Sha256 h;
  std::size_t start = 0;
  while (start < raw.size()) {
    std::size_t cr = raw.find('\r', start);
    h.update(raw.substr(start, cr == std::string_view::npos ? raw.npos : cr - start));
    if (cr == std::string_view::npos) break;
    start = cr + 1;
  }
  return to_hex(h.finish());
}

}  // namespace mf::migrate
