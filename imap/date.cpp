#include "imap/date.h"

#include "core/civil_time.h"

#include <charconv>
#include <cstdio>

namespace mf::imap {
namespace {

bool read_int(std::string_view s, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > s.size()) return false;
  auto [p, ec] = std::from_chars(s.data() + pos, s.data() + pos + len, out);
  return ec == std::errc() && p == s.data() + pos + len;
}

}  // namespace

Result<DateTime> parse_date_time(std::string_view text) {
  auto bad = [&] { return make_error(Errc::Protocol, "invalid date-time \"" + std::string(text) + "\""); };
  std::string_view s = text;
  if (!s.empty() && s[0] == ' ') s.remove_prefix(1);  // day may be " 7"
  std::size_t dash = s.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash > 2) return bad();
  int day = 0, year = 0, hh = 0, mm = 0, ss = 0, zone = 0;
  if (!read_int(s, 0, dash, day)) return bad();
  std::string_view mon = s.substr(dash + 1, 3);
  unsigned month = mon.size() == 3 ? month_from_name(mon) : 0;
  std::size_t p = dash + 4;
  if (month == 0 || s.size() != p + 20 || s[p] != '-' || !read_int(s, p + 1, 4, year) || s[p + 5] != ' ' ||
      !read_int(s, p + 6, 2, hh) || s[p + 8] != ':' || !read_int(s, p + 9, 2, mm) || s[p + 11] != ':' ||
      !read_int(s, p + 12, 2, ss) || s[p + 14] != ' ' || (s[p + 15] != '+' && s[p + 15] != '-') ||
      !read_int(s, p + 16, 4, zone))
    return bad();
  if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return bad();
  int zone_minutes = (zone / 100) * 60 + zone % 100;
  if (s[p + 15] == '-') zone_minutes = -zone_minutes;
  std::int64_t local = days_from_civil(year, month, static_cast<unsigned>(day)) * 86400 + hh * 3600 + mm * 60 + ss;
  return DateTime{local - zone_minutes * 60, zone_minutes};
}

std::string format_date_time(const DateTime& dt) {
  std::int64_t local = dt.epoch + dt.zone_minutes * 60;
  std::int64_t days = day_of_epoch(local);
  std::int64_t secs = local - days * 86400;
  auto [y, m, d] = civil_from_days(days);
  int z = dt.zone_minutes < 0 ? -dt.zone_minutes : dt.zone_minutes;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%02u-%s-%04lld %02d:%02d:%02d %c%02d%02d", d, kMonthNames[m - 1].data(), static_cast<long long>(y),
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60),
                dt.zone_minutes < 0 ? '-' : '+', z / 60, z % 60);
  return buf;
}

}  // namespace mf::imap
