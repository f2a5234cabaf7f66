#include "migrate/message_filter.h"

#include <charconv>
#include <ctime>
#include <string>

namespace mf::migrate {
namespace {

bool read_number(std::string_view& text, std::size_t digits, int& out) {
  if (text.size() < digits) return false;
  auto [p, ec] = std::from_chars(text.data(), text.data() + digits, out);
  if (ec != std::errc() || p != text.data() + digits) return false;
  text.remove_prefix(digits);
  return true;
}

bool expect(std::string_view& text, char c) {
  if (text.empty() || text.front() != c) return false;
  text.remove_prefix(1);
  return true;
}

}  // namespace

bool MessageFilter::wanted(std::uint64_t size, std::optional<std::int64_t> internaldate) const {
  if (max_size && size > max_size) return false;
  if (internaldate) {
    if (since && *internaldate < *since) return false;
    if (before && *internaldate >= *before) return false;
  }
  return true;
}

Result<std::int64_t> parse_filter_date(std::string_view text) {
  auto bad = make_error(Errc::Usage, "expected a date as YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)", std::string(text));
  std::string_view rest = text;
  std::tm tm{};
  int year = 0, month = 0, day = 0;
  if (!read_number(rest, 4, year) || !expect(rest, '-') || !read_number(rest, 2, month) || !expect(rest, '-') ||
      !read_number(rest, 2, day))
    return bad;
  if (!rest.empty()) {
    if (!expect(rest, 'T') || !read_number(rest, 2, tm.tm_hour) || !expect(rest, ':') ||
        !read_number(rest, 2, tm.tm_min) || !expect(rest, ':') || !read_number(rest, 2, tm.tm_sec) ||
        !(rest == "Z" || rest.empty()))
      return bad;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) return bad;
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  return static_cast<std::int64_t>(::timegm(&tm));
}

Result<std::uint64_t> parse_size(std::string_view text) {
  std::uint64_t value = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  std::string_view unit(p, static_cast<std::size_t>(text.data() + text.size() - p));
  std::uint64_t scale = unit.empty()                  ? 1
                        : unit == "K" || unit == "k" ? 1ull << 10
                        : unit == "M" || unit == "m" ? 1ull << 20
                        : unit == "G" || unit == "g" ? 1ull << 30
                                                     : 0;
  if (ec != std::errc() || p == text.data() || scale == 0 || value == 0)
    return make_error(Errc::Usage, "expected a size in bytes, or with K, M or G (e.g. 25M)", std::string(text));
  return value * scale;
}

}  // namespace mf::migrate
