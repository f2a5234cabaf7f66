#include "mime/date.h"

#include "core/civil_time.h"

#include <charconv>
#include <cstdio>

namespace mf::mime {

Result<ZonedTime> parse_date(std::string_view text) {
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
  unsigned month = month_from_name(month_name);
  if (year < 50) year += 2000;  // RFC 5322 §4.3
  else if (year < 1000) year += 1900;
  if (month == 0 || day < 1 || day > 31 || year < 1000 || year > 9999 || hh < 0 || hh > 23 || mm < 0 || mm > 59 ||
      ss < 0 || ss > 60)
    return bad();
  int zone = 0;
  std::string z(zone_text);
  if (!z.empty() && (z[0] == '+' || z[0] == '-') && z.size() >= 5) {
    int value = 0;
    auto [end, ec] = std::from_chars(z.data() + 1, z.data() + 5, value);
    if (ec != std::errc() || end != z.data() + 5) return bad();
    zone = (value / 100 * 60 + value % 100) * (z[0] == '-' ? -1 : 1);
  } else {
    static const std::pair<const char*, int> kZones[] = {{"EDT", -240}, {"EST", -300}, {"CDT", -300}, {"CST", -360},
                                                         {"MDT", -360}, {"MST", -420}, {"PDT", -420}, {"PST", -480}};
    for (auto [name, minutes] : kZones)
      if (z == name) zone = minutes;  // GMT, UT, military and unknown zones count as UTC
  }
  std::int64_t epoch = days_from_civil(year, month, static_cast<unsigned>(day)) * 86400 + hh * 3600 + mm * 60 + ss -
                       static_cast<std::int64_t>(zone) * 60;
  return ZonedTime{epoch, zone};
}

}  // namespace mf::mime
