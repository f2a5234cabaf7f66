#include "server/auth_cache.h"

#include "tests/result_printer.h"

using namespace mf::server;

TEST_CASE("the login cache recalls only the password that passed", "[server][auth]") {
  AuthCache cache;
  CHECK_FALSE(cache.recalls("alice", "secret"));
  cache.remember("alice", "secret");
  CHECK(cache.recalls("alice", "secret"));
  CHECK_FALSE(cache.recalls("alice", "secret "));
  CHECK_FALSE(cache.recalls("alice", "Secret"));
  CHECK_FALSE(cache.recalls("bob", "secret"));
  cache.remember("alice", "new");  // a changed password replaces the old one
  CHECK_FALSE(cache.recalls("alice", "secret"));
  CHECK(cache.recalls("alice", "new"));
  // The user and the password are told apart: "ab"+"c" is not "a"+"bc".
  cache.remember("ab", "c");
  CHECK_FALSE(cache.recalls("a", "bc"));
}

TEST_CASE("the login cache forgets every login when the users file was read again", "[server][auth]") {
  AuthCache cache;
  cache.follow(0);
  cache.remember("alice", "secret");
  cache.follow(0);
  CHECK(cache.recalls("alice", "secret"));
  cache.follow(1);  // a changed password or a deleted user must not pass from the cache
  CHECK_FALSE(cache.recalls("alice", "secret"));
}
