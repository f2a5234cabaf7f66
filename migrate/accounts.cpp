#include "migrate/accounts.h"

#include <array>
#include <map>
#include <optional>

namespace mf::migrate {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// One line split at `separator`; a field may be "quoted" ("" is a quote inside).
Result<std::vector<std::string>> split_fields(std::string_view line, char separator, const std::string& where) {
  std::vector<std::string> fields;
  std::size_t i = 0;
  for (;;) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::string field;
    if (i < line.size() && line[i] == '"') {
      for (++i;; ++i) {
        if (i >= line.size()) return make_error(Errc::Usage, "unterminated quoted field", where);
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            ++i;
            continue;
          }
          ++i;
          break;
        }
        field += line[i];
      }
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
      if (i < line.size() && line[i] != separator)
        return make_error(Errc::Usage, "text after a quoted field", where);
    } else {
      std::size_t end = line.find(separator, i);
      field = std::string(trim(line.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i)));
      i = end == std::string_view::npos ? line.size() : end;
    }
    fields.push_back(std::move(field));
    if (i >= line.size()) break;
    ++i;  // the separator
  }
  return fields;
}

// A server as written in a column: a URL (with or without a user) or, in
// the imapsync form, HOST or HOST:PORT (imap://, STARTTLS when offered).
Result<net::ServerUrl> server_of(const std::string& server, const std::string& user, const std::string& where) {
  if (server.empty()) return make_error(Errc::Usage, "no server", where);
  std::string text = server;
  auto scheme_end = text.find("://");
  if (scheme_end == std::string::npos) text = "imap://" + text, scheme_end = 4;
  std::string authority = text.substr(scheme_end + 3);
  bool has_user = authority.substr(0, authority.find('/')).find('@') != std::string::npos;
  if (!has_user) text.insert(scheme_end + 3, "user@");  // the user column fills it in below
  bool pop3 = text.rfind("pop3", 0) == 0;
  auto url = pop3 ? net::parse_pop3_url(text) : net::parse_server_url(text);
  if (!url) return with_context(url.error(), where);
  if (!has_user) {
    if (user.empty()) return make_error(Errc::Usage, "no user: give it in the user column or the URL", where);
    url->user = user;
  } else if (!user.empty() && user != url->user) {
    return make_error(Errc::Usage, "the user column (" + user + ") and the URL's user (" + url->user + ") differ", where);
  }
  return *url;
}

constexpr std::array<const char*, 6> kRequired = {"from_url", "from_user", "from_password",
                                                  "to_url",   "to_user",   "to_password"};
constexpr std::array<const char*, 2> kOptional = {"from_admin", "to_admin"};

}  // namespace

Result<std::vector<AccountSpec>> parse_accounts(std::string_view text) {
  std::vector<AccountSpec> accounts;
  std::optional<std::map<std::string, std::size_t>> columns;  // header form
  bool imapsync_form = false;
  int number = 0;
  while (!text.empty()) {
    auto newline = text.find('\n');
    std::string_view line = trim(text.substr(0, newline));
    text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
    ++number;
    if (line.empty() || line.front() == '#') continue;
    std::string where = "accounts file line " + std::to_string(number);
    if (!columns && !imapsync_form) {
      if (line.find("from_url") == std::string_view::npos) {
        if (line.find(';') == std::string_view::npos)
          return make_error(Errc::Usage,
                            "neither a header line (from_url,from_user,...) nor host1;user1;password1;host2;user2;password2",
                            where);
        imapsync_form = true;
      } else {
        MF_TRY(names, split_fields(line, ',', where));
        columns.emplace();
        for (std::size_t i = 0; i < names.size(); ++i) {
          bool known = false;
          for (const char* c : kRequired) known = known || names[i] == c;
          for (const char* c : kOptional) known = known || names[i] == c;
          if (!known)
            return make_error(Errc::Usage,
                              "unknown column \"" + names[i] +
                                  "\" (the header names from_url,from_user,from_password,to_url,to_user,to_password "
                                  "and optionally from_admin,to_admin; or use host1;user1;password1;host2;user2;password2 lines)",
                              where);
          (*columns)[names[i]] = i;
        }
        for (const char* c : kRequired)
          if (!columns->count(c)) return make_error(Errc::Usage, std::string("the header lacks the column ") + c, where);
        continue;
      }
    }
    MF_TRY(fields, split_fields(line, imapsync_form ? ';' : ',', where));
    auto field = [&](const char* name) -> std::string {
      if (imapsync_form) {
        static const std::map<std::string, std::size_t> kImapsync = {
            {"from_url", 0}, {"from_user", 1}, {"from_password", 2}, {"to_url", 3}, {"to_user", 4}, {"to_password", 5}};
        auto it = kImapsync.find(name);
        return it == kImapsync.end() || it->second >= fields.size() ? "" : fields[it->second];
      }
      auto it = columns->find(name);
      return it == columns->end() || it->second >= fields.size() ? "" : fields[it->second];
    };
    std::size_t wanted = imapsync_form ? 6 : columns->size();
    // imapsync's files often end each line with a ';'.
    if (imapsync_form && fields.size() == 7 && fields.back().empty()) fields.pop_back();
    if (fields.size() != wanted)
      return make_error(Errc::Usage,
                        "expected " + std::to_string(wanted) + " fields, found " + std::to_string(fields.size()), where);
    AccountSpec account;
    account.line = number;
    MF_TRY(from, server_of(field("from_url"), field("from_user"), where + " (source)"));
    MF_TRY(to, server_of(field("to_url"), field("to_user"), where + " (target)"));
    bool pop3 = field("from_url").rfind("pop3", 0) == 0;
    if (field("to_url").rfind("pop3", 0) == 0)
      return make_error(Errc::Usage, "the target must be an IMAP server", where);
    account.from = AccountSide{std::move(from), field("from_password"), field("from_admin"), pop3};
    account.to = AccountSide{std::move(to), field("to_password"), field("to_admin")};
    if (account.from.password.empty() || account.to.password.empty())
      return make_error(Errc::Usage, "empty password (write cmd:COMMAND or file:PATH to look it up)", where);
    accounts.push_back(std::move(account));
  }
  if (accounts.empty()) return make_error(Errc::Usage, "the accounts file lists no account");
  return accounts;
}

}  // namespace mf::migrate
