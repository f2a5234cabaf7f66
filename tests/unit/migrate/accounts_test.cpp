#include "migrate/accounts.h"

#include "core/secret.h"

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::migrate;

TEST_CASE("the header form names columns in any order, with quotes and admins", "[migrate][accounts]") {
  auto accounts = parse_accounts(
      "# comment\n"
      "to_url,to_user,to_password,from_url,from_user,from_password,to_admin\r\n"
      "\n"
      "imaps://new.example.org,alice,\"a,b\"\"c\",imap://old.example.org:1143,alice,cmd:pass show alice,admin\n"
      "imaps://new.example.org, bob@example.org ,file:/etc/pw,imaps://bob@old.example.org,,plain:cmd:x,\n");
  REQUIRE(accounts);
  REQUIRE(accounts->size() == 2);
  const auto& a = (*accounts)[0];
  CHECK(a.line == 4);
  CHECK(a.from.url.host == "old.example.org");
  CHECK(a.from.url.port == 1143);
  CHECK_FALSE(a.from.url.tls);
  CHECK(a.from.url.user == "alice");
  CHECK(a.from.password == "cmd:pass show alice");
  CHECK(a.to.url.tls);
  CHECK(a.to.password == "a,b\"c");
  CHECK(a.to.admin == "admin");
  const auto& b = (*accounts)[1];
  CHECK(b.from.url.user == "bob");  // from the URL
  CHECK(b.to.url.user == "bob@example.org");
  CHECK(b.from.password == "plain:cmd:x");
}

TEST_CASE("imapsync's form: host1, user1, password1, host2, user2, password2 between semicolons", "[migrate][accounts]") {
  auto accounts = parse_accounts("old.example.org;alice;secret1;new.example.org:10143;alice@new;secret2;\n"
                                 "[::1]:143;bob;pw;imaps://new.example.org;bob;pw2\n");
  REQUIRE(accounts);
  REQUIRE(accounts->size() == 2);
  CHECK((*accounts)[0].from.url.host == "old.example.org");
  CHECK((*accounts)[0].from.url.port == 143);
  CHECK((*accounts)[0].to.url.port == 10143);
  CHECK((*accounts)[0].to.url.user == "alice@new");
  CHECK((*accounts)[0].to.password == "secret2");
  CHECK((*accounts)[1].from.url.host == "::1");
  CHECK((*accounts)[1].to.url.tls);
}

TEST_CASE("a wrong accounts file names the line and what is wrong", "[migrate][accounts]") {
  auto describe = [](const char* text) {
    auto r = parse_accounts(text);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::Usage);
    return r.error().describe();
  };
  CHECK_THAT(describe("from_url,from_user,from_password,to_url,to_user\n"),
             Catch::Contains("lacks the column to_password"));
  CHECK_THAT(describe("from_url,from_user,from_password,to_url,to_user,to_password,colour\n"),
             Catch::Contains("unknown column \"colour\""));
  CHECK_THAT(describe("from_url,from_user,from_password,to_url,to_user,to_password\nimap://a,u,p,imap://b,u\n"),
             Catch::Contains("line 2") && Catch::Contains("expected 6 fields, found 5"));
  CHECK_THAT(describe("from_url,from_user,from_password,to_url,to_user,to_password\nimap://a,,p,imap://b,u,p\n"),
             Catch::Contains("no user"));
  CHECK_THAT(describe("a;b;c;d;e\n"), Catch::Contains("expected 6 fields"));
  CHECK_THAT(describe("a;b;\"c;d;e;f\n"), Catch::Contains("unterminated quoted field"));
  CHECK_THAT(describe("# nothing\n"), Catch::Contains("lists no account"));
  CHECK_THAT(describe("just words\n"), Catch::Contains("neither a header line"));
}

TEST_CASE("secrets come literally, from a command or from a file", "[core][secret]") {
  CHECK(resolve_secret("hunter2").value() == "hunter2");
  CHECK(resolve_secret("plain:cmd:x").value() == "cmd:x");
  CHECK(resolve_secret("cmd:printf 'from command\\nsecond line'").value() == "from command");
  auto failed = resolve_secret("cmd:exit 3");
  REQUIRE_FALSE(failed);
  CHECK_THAT(failed.error().describe(), Catch::Contains("status 3"));
  CHECK_FALSE(resolve_secret("file:/nonexistent/password"));
}
