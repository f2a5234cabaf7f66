// Time as mail writes it: days since 1970-01-01 of a proleptic Gregorian
// date and back (Howard Hinnant's "chrono-compatible low-level date
// algorithms"), month names, a time with its zone. INTERNALDATE, Date: and
// the retention policy's "end of the year plus N" all need them.
#pragma once

#include <array>
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

namespace mf {

// A point in time with the zone it was written in: INTERNALDATE and Date:.
struct ZonedTime {
  std::int64_t epoch = 0;  // seconds since 1970-01-01 UTC
  int zone_minutes = 0;    // offset east of UTC as written
};

struct CivilDate {
  std::int64_t year = 1970;
  unsigned month = 1;  // 1..12
  unsigned day = 1;    // 1..31
};

constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

constexpr CivilDate civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  CivilDate out;
  out.day = doy - (153 * mp + 2) / 5 + 1;
  out.month = mp < 10 ? mp + 3 : mp - 9;
  out.year = static_cast<std::int64_t>(yoe) + era * 400 + (out.month <= 2);
  return out;
}

// The day an epoch second falls on (UTC), rounding towards the past.
constexpr std::int64_t day_of_epoch(std::int64_t epoch) { return (epoch >= 0 ? epoch : epoch - 86399) / 86400; }

inline constexpr std::array<std::string_view, 12> kMonthNames = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// "Aug" (any case) -> 8; 0 for anything else. Only the first three characters count.
constexpr unsigned month_from_name(std::string_view name) {
  if (name.size() < 3) return 0;
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  for (unsigned i = 0; i < kMonthNames.size(); ++i)
    if (lower(name[0]) == lower(kMonthNames[i][0]) && lower(name[1]) == kMonthNames[i][1] &&
        lower(name[2]) == kMonthNames[i][2])
      return i + 1;
  return 0;
}

// A time in UTC as strftime writes it: "%Y-%m-%d" a date, "%Y-%m-%dT%H:%M:%SZ" ISO 8601.
inline std::string utc_text(std::int64_t epoch, const char* format) {
  char text[64];
  std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return std::string(text, std::strftime(text, sizeof text, format, &tm));
}

static_assert(month_from_name("aUG") == 8 && month_from_name("Foo") == 0);
static_assert(days_from_civil(2002, 8, 20) == 11919);
static_assert(civil_from_days(11919).year == 2002 && civil_from_days(11919).month == 8);

}  // namespace mf
