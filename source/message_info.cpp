#include "source/message_info.h"

#include "core/sha256.h"
#include "mime/headers.h"

#include <algorithm>

namespace mf::source {
namespace {

// A header value on one line: folding white space (RFC 5322 §3.2.2) as one space, none at the ends.
std::string one_line(std::string_view value) {
  std::string out;
  for (char c : value) {
    bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    if (!space) out += c;
    else if (!out.empty() && out.back() != ' ') out += ' ';
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

MessageInfo read_message_info(std::string_view raw) {
  mime::Headers headers(raw);
  MessageInfo out{one_line(headers.value("Message-ID")), one_line(headers.value("Subject")),
                  one_line(headers.value("Date"))};
  if (out.subject.size() > 120) out.subject = out.subject.substr(0, 117) + "...";
  return out;
}

namespace {

bool has_lone_cr(std::string_view raw) {
  for (std::size_t cr = raw.find('\r'); cr != std::string_view::npos; cr = raw.find('\r', cr + 1))
    if (cr + 1 >= raw.size() || raw[cr + 1] != '\n') return true;
  return false;
}

bool eight_bit_or_nul(char c) { return static_cast<unsigned char>(c) >= 0x80 || c == '\0'; }

// Where the header ends (the LF of its empty line), or npos.
std::size_t header_end(std::string_view raw) {
  for (std::size_t lf = raw.find('\n'); lf != std::string_view::npos; lf = raw.find('\n', lf + 1)) {
    std::size_t next = lf + 1;
    while (next < raw.size() && raw[next] == '\r') ++next;
    if (next < raw.size() && raw[next] == '\n') return next;
  }
  return std::string_view::npos;
}

// Hashes raw with the bytes drop() names left out, in runs.
template <typename Drop>
std::string hash_without(std::string_view raw, Drop drop) {
  Sha256 h;
  std::size_t run = 0;
  for (std::size_t i = 0; i < raw.size(); ++i)
    if (drop(i)) {
      h.update(raw.substr(run, i - run));
      run = i + 1;
    }
  h.update(raw.substr(run));
  return to_hex(h.finish());
}

}  // namespace

std::string line_ending_blind_hash(std::string_view raw) {
  return hash_without(raw, [&](std::size_t i) {
    if (raw[i] != '\r') return false;
    std::size_t next = raw.find_first_not_of('\r', i);
    return next != std::string_view::npos && raw[next] == '\n';
  });
}

std::string rewrite_blind_hash(std::string_view raw) {
  std::size_t body = header_end(raw);
  return hash_without(raw, [&](std::size_t i) {
    char c = raw[i];
    if (c == '\r') return true;
    return i < body && (eight_bit_or_nul(c) || c == 'X' || c == '?');
  });
}

bool may_be_rewritten(std::string_view raw) {
  if (has_lone_cr(raw)) return true;
  std::string_view header = raw.substr(0, header_end(raw));
  return std::any_of(header.begin(), header.end(), eight_bit_or_nul);
}

}  // namespace mf::source
