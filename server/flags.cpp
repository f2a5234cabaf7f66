#include "server/flags.h"

#include "imap/writer.h"

namespace mf::server {

Result<std::vector<std::string>> flags_from(const std::vector<imap::Value>& values) {
  static const char* kSystem[] = {"\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"};
  std::vector<std::string> out;
  for (const auto& v : values) {
    if (!v.is_atom() || !imap::is_flag_text(v.text)) return make_error(Errc::Protocol, "not a flag: " + v.display());
    std::string flag = v.text;
    if (flag.front() == '\\') {
      bool known = false;
      for (const char* s : kSystem)
        if (imap::iequals(flag, s)) flag = s, known = true;
      if (!known) return make_error(Errc::Protocol, "not a flag a client can set: " + v.display());
    }
    out.push_back(std::move(flag));
  }
  return out;
}

}  // namespace mf::server
