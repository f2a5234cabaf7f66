#include "imap/date.h"

#include <array>
#include <charconv>
#include <cstdio>

namespace mf::imap {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2));
}

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
  unsigned month = 0;
  for (unsigned i = 0; i < kMonths.size(); ++i)
    if (mon.size() == 3 && (mon[0] | 0x20) == (kMonths[i][0] | 0x20) && (mon[1] | 0x20) == kMonths[i][1] &&
        (mon[2] | 0x20) == kMonths[i][2])
      month = i + 1;
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
  std::int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  std::int64_t secs = local - days * 86400;
  int y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  int z = dt.zone_minutes < 0 ? -dt.zone_minutes : dt.zone_minutes;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%02u-%s-%04d %02d:%02d:%02d %c%02d%02d", d, kMonths[m - 1].data(), y,
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60),
                dt.zone_minutes < 0 ? '-' : '+', z / 60, z % 60);
  return buf;
}

Result<DateTime> parse_message_date(std::string_view text) {
  auto bad = [&] { return make_error(Errc::Corrupt, "unreadable Date: \"" + std::string(text) + "\""); };
  std::string s(text);
  if (auto comma = s.find(','); comma != std::string::npos) s = s.substr(comma + 1);  // day of week
  char month_name[4] = {};
  char zone_text[16] = {};
  int day = 0, year = 0, hh = 0, mm = 0, ss = 0;
  int n = std::sscanf(s.c_str(), " %d %3s %d %d:%d:%d %15s", &day, month_name, &year, &hh, &mm, &ss, zone_text);
  if (n < 6) {  // no seconds
    ss = 0;
    n = std::sscanf(s.c_str(), " %d %3s %d %d:%d %15s", &day, month_name, &year, &hh, &mm, zone_text);
    if (n < 5) return bad();
  }
  unsigned month = 0;
  for (unsigned i = 0; i < kMonths.size(); ++i)
    if ((month_name[0] | 0x20) == (kMonths[i][0] | 0x20) && (month_name[1] | 0x20) == kMonths[i][1] &&
        (month_name[2] | 0x20) == kMonths[i][2])
      month = i + 1;
  if (year < 50) year += 2000;  // RFC 5322 §4.3
  else if (year < 1000) year += 1900;
  if (month == 0 || day < 1 || day > 31 || year < 1000 || year > 9999 || hh < 0 || hh > 23 || mm < 0 || mm > 59 ||
      ss < 0 || ss > 60)
    return bad();
  int zone = 0;
  std::string z(zone_text);
  if (!z.empty() && (z[0] == '+' || z[0] == '-') && z.size() >= 5) {
    int value = 0;
    if (!read_int(z, 1, 4, value)) return bad();
    zone = (value / 100 * 60 + value % 100) * (z[0] == '-' ? -1 : 1);
  } else {
    static const std::pair<const char*, int> kZones[] = {{"EDT", -240}, {"EST", -300}, {"CDT", -300}, {"CST", -360},
                                                         {"MDT", -360}, {"MST", -420}, {"PDT", -420}, {"PST", -480}};
    for (auto [name, minutes] : kZones)
      if (z == name) zone = minutes;  // GMT, UT, military and unknown zones count as UTC
  }
  std::int64_t epoch = days_from_civil(year, month, static_cast<unsigned>(day)) * 86400 + hh * 3600 + mm * 60 + ss -
                       static_cast<std::int64_t>(zone) * 60;
  return DateTime{epoch, zone};
}

}  // namespace mf::imap
