#include "imap/mutf7.h"

#include "core/utf8.h"
#include "imap/writer.h"

#include <cstdint>
#include <vector>

namespace mf::imap {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int alphabet_index(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;
  return -1;
}

bool is_direct(unsigned char c) { return c >= 0x20 && c <= 0x7e; }

// Decodes one UTF-8 code point at s[i], advancing i; -1 when invalid.
long next_code_point(std::string_view s, std::size_t& i) {
  auto c = static_cast<unsigned char>(s[i]);
  int extra = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
  if (extra < 0 || i + extra >= s.size()) return -1;
  std::uint32_t cp = extra == 0 ? c : c & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) {
    auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (cc & 0x3F);
  }
  static constexpr std::uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  i += extra + 1;
  return static_cast<long>(cp);
}

void flush_base64(std::string& out, const std::vector<std::uint16_t>& units) {
  out += '&';
  std::uint32_t bits = 0;
  int nbits = 0;
  for (auto u : units) {
    bits = (bits << 16) | u;
    nbits += 16;
    while (nbits >= 6) {
      nbits -= 6;
      out += kAlphabet[(bits >> nbits) & 0x3F];
    }
  }
  if (nbits > 0) out += kAlphabet[(bits << (6 - nbits)) & 0x3F];
  out += '-';
}

}  // namespace

Result<std::string> mutf7_encode(std::string_view utf8) {
  std::string out;
  std::vector<std::uint16_t> pending;
  for (std::size_t i = 0; i < utf8.size();) {
    long cp = next_code_point(utf8, i);
    if (cp < 0) return make_error(Errc::Usage, "mailbox name is not valid UTF-8", std::string(utf8));
    if (is_direct(static_cast<unsigned char>(cp < 0x80 ? cp : 0))) {
      if (!pending.empty()) {
        flush_base64(out, pending);
        pending.clear();
      }
      out += static_cast<char>(cp);
      if (cp == '&') out += '-';
      continue;
    }
    if (cp >= 0x10000) {
      long v = cp - 0x10000;
      pending.push_back(static_cast<std::uint16_t>(0xD800 + (v >> 10)));
      pending.push_back(static_cast<std::uint16_t>(0xDC00 + (v & 0x3FF)));
    } else {
      pending.push_back(static_cast<std::uint16_t>(cp));
    }
  }
  if (!pending.empty()) flush_base64(out, pending);
  return out;
}

Result<std::string> mutf7_decode(std::string_view in) {
  auto bad = [&](std::string_view why) {
    return make_error(Errc::Protocol, "malformed modified UTF-7 mailbox name: " + std::string(why), std::string(in));
  };
  std::string out;
  for (std::size_t i = 0; i < in.size();) {
    auto c = static_cast<unsigned char>(in[i]);
    if (!is_direct(c)) return bad("byte outside printable ASCII");
    if (c != '&') {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    std::size_t end = in.find('-', i + 1);
    if (end == std::string_view::npos) return bad("'&' without closing '-'");
    if (end == i + 1) {  // "&-" is '&'
      out += '&';
      i = end + 1;
      continue;
    }
    std::uint32_t bits = 0;
    int nbits = 0;
    std::uint32_t high_surrogate = 0;
    std::size_t units = 0;
    for (std::size_t k = i + 1; k < end; ++k) {
      int v = alphabet_index(in[k]);
      if (v < 0) return bad("invalid base64 character");
      bits = (bits << 6) | static_cast<std::uint32_t>(v);
      nbits += 6;
      if (nbits < 16) continue;
      nbits -= 16;
      auto unit = static_cast<std::uint16_t>((bits >> nbits) & 0xFFFF);
      ++units;
      if (high_surrogate) {
        if (unit < 0xDC00 || unit > 0xDFFF) return bad("unpaired UTF-16 surrogate");
        append_utf8(out, 0x10000 + ((high_surrogate - 0xD800) << 10) + (unit - 0xDC00));
        high_surrogate = 0;
      } else if (unit >= 0xD800 && unit <= 0xDBFF) {
        high_surrogate = unit;
      } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
        return bad("unpaired UTF-16 surrogate");
      } else if (is_direct(static_cast<unsigned char>(unit < 0x80 ? unit : 0))) {
        return bad("printable ASCII must not be encoded");
      } else {
        append_utf8(out, unit);
      }
    }
    // Leftover bits must be padding zeros shorter than one base64 digit pair.
    if (units == 0 || high_surrogate || nbits >= 6 || (bits & ((1u << nbits) - 1)) != 0)
      return bad("truncated or badly padded base64");
    i = end + 1;
  }
  return out;
}

std::string mailbox_shown(std::string_view wire) {
  auto decoded = mutf7_decode(wire);
  if (!decoded) return shown(wire);
  std::string out;
  for (char c : *decoded)
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? shown(std::string_view(&c, 1)) : std::string(1, c);
  return out;
}

}  // namespace mf::imap
