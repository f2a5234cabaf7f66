// The accounts file of a bulk run (docs/migrate.md "Bulk runs"), in either
// of two forms:
//   from_url,from_user,from_password,to_url,to_user,to_password   (a header
//     line names the columns; from_admin and to_admin may be added; fields
//     may be "quoted" with "" for a quote)
//   host1;user1;password1;host2;user2;password2                  (imapsync's)
// Lines that are empty or start with '#' are skipped. Pure parsing: the
// passwords stay as written (literal, "cmd:..." or "file:...") until the
// account's turn comes.
#pragma once

#include "core/error.h"
#include "net/url.h"

#include <string>
#include <string_view>
#include <vector>

namespace mf::migrate {

struct AccountSide {
  net::ServerUrl url;  // with the user filled in
  std::string password;       // as written: literal, cmd:COMMAND, file:PATH or plain:LITERAL
  std::string admin;          // log in as this admin on behalf of the user (the password is the admin's)
  bool pop3 = false;          // pop3:// or pop3s:// (a source only)
};

struct AccountSpec {
  AccountSide from, to;
  int line = 0;  // in the accounts file, for messages
};

// Errors name the line (and column) that is wrong; nothing is half-parsed.
[[nodiscard]] Result<std::vector<AccountSpec>> parse_accounts(std::string_view text);

}  // namespace mf::migrate
