#include "store/users.h"

#include "core/atomic_file.h"
#include "tests/support/temp_dir.h"

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::store;

TEST_CASE("users are kept with Argon2id hashes and checked against them", "[store][users]") {
  test::TempDir dir;
  std::string path = dir.path + "/users";
  auto users = Users::load(path);
  REQUIRE(users);  // no file: no users
  CHECK(users->size() == 0);
  REQUIRE(users->add("alice", "s3cret"));
  REQUIRE(users->add("bob@example.org", "other"));
  auto twice = users->add("alice", "x");
  REQUIRE_FALSE(twice);
  CHECK(twice.error().code == Errc::Exists);
  REQUIRE(users->save());
  auto text = read_file(path);
  REQUIRE(text);
  CHECK(text->find("s3cret") == std::string::npos);
  CHECK(text->find("alice:$argon2id$v=19$m=19456,t=2,p=1$") != std::string::npos);

  auto loaded = Users::load(path);
  REQUIRE(loaded);
  CHECK(loaded->verify("alice", "s3cret"));
  CHECK_FALSE(loaded->verify("alice", "s3cret "));
  CHECK_FALSE(loaded->verify("alice", "other"));
  CHECK_FALSE(loaded->verify("nobody", ""));
  REQUIRE(loaded->set_password("alice", "new"));
  CHECK(loaded->verify("alice", "new"));
  REQUIRE(loaded->remove("bob@example.org"));
  CHECK(loaded->names() == std::vector<std::string>{"alice"});
}

TEST_CASE("a user name must be safe as a directory name", "[store][users]") {
  for (const char* bad : {"", ".hidden", "../etc", "a/b", "a b", "a:b", "\xc3\xa4"}) {
    INFO(bad);
    CHECK_FALSE(check_user_name(bad));
  }
  CHECK(check_user_name("first.last+tag@example-mail.org"));
}

TEST_CASE("a damaged users file is refused naming its line", "[store][users]") {
  test::TempDir dir;
  std::string path = dir.path + "/users";
  REQUIRE(write_file_atomically(path, "# comment\nalice:$argon2id$v=19$m=19456,t=2,p=1$abc$def\nbob:plaintext\n"));
  auto users = Users::load(path);
  REQUIRE_FALSE(users);
  CHECK(users.error().code == Errc::Corrupt);
  CHECK(users.error().where == path + ":3");
}
