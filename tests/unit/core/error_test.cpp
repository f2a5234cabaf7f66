// The error policy: which errors end an account, what reaches a client.
#include "core/error.h"

#include "tests/result_printer.h"

using mf::Errc;
using mf::make_error;

TEST_CASE("a refusal of one thing fails that folder, everything else the account", "[core]") {
  for (Errc folder_only : {Errc::Perm, Errc::NotFound, Errc::Usage, Errc::Exists, Errc::Expunged})
    CHECK_FALSE(mf::ends_the_account(make_error(folder_only, "x")));
  for (Errc account : {Errc::Temp, Errc::Auth, Errc::Protocol, Errc::Io, Errc::NoSpace, Errc::Corrupt, Errc::Tls,
                       Errc::Limit, Errc::Stopped, Errc::InUse})
    CHECK(mf::ends_the_account(make_error(account, "x")));
}

TEST_CASE("what a client is told names no path, host or detail", "[core]") {
  auto e = make_error(Errc::Io, "cannot write /srv/mail/alice/cur/1.eml: No space left", "/srv/mail/alice");
  CHECK(e.describe().find("/srv/mail") != std::string::npos);
  CHECK(std::string(e.for_client()).find("/srv") == std::string::npos);
  CHECK(std::string(e.for_client()).find("No space") == std::string::npos);
  for (int c = 0; c <= static_cast<int>(Errc::Expunged); ++c) {
    auto text = make_error(static_cast<Errc>(c), "secret detail", "secret.host").for_client();
    CHECK_FALSE(text.empty());
    CHECK(text.find("secret") == std::string_view::npos);
    CHECK(mf::errc_name(static_cast<Errc>(c)) != "unknown");
  }
}
