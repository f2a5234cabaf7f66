// mailferry search and archive reindex from the command line: the index is
// made by archive import and migrate --archive, found messages come back
// with their archive numbers, a search is an audit event, reindex makes the
// same index anew, a bad query exits 2 naming the fault.
#include "core/atomic_file.h"
#include "tests/integration/harness.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::test;
using nlohmann::json;

namespace {

std::vector<json> lines_of(const std::string& out) {
  std::vector<json> v;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) v.push_back(json::parse(line));
  return v;
}

}  // namespace

TEST_CASE("search_finds_what_an_import_archived_and_reindex_makes_the_same_index", "[integration][search]") {
  TwoServers servers(20);
  std::string dir = servers.dir() + "/archive";
  auto imported = run_mailferry({"archive", "import", "--archive", dir, "maildir:" + servers.source().maildir("alice")});
  INFO(imported.out << imported.err);
  REQUIRE(imported.exit_code == 0);
  CHECK(imported.out.find("index: ") != std::string::npos);

  auto all = run_mailferry({"search", "--archive", dir, "--output", "json", "--limit", "1000"});
  INFO(all.err);
  REQUIRE(all.exit_code == 0);
  auto hits = lines_of(all.out);
  CHECK(hits.size() == servers.filled().messages - 1);  // the two byte-identical edge cases are one message
  for (const auto& h : hits)
    for (const char* key : {"number", "sha256", "message_id", "date", "from", "subject", "account", "folder"})
      CHECK(h.contains(key));

  // A word of one message's subject finds it, and archive get gives its bytes back.
  std::string subject = hits.front()["subject"];
  std::string word = subject.substr(0, subject.find(' '));
  auto one = run_mailferry({"search", "--archive", dir, "--output", "numbers", "subject:\"" + word + "\""});
  REQUIRE(one.exit_code == 0);
  CHECK(one.out.find(std::to_string(hits.front()["number"].get<std::int64_t>()) + "\n") != std::string::npos);

  // --output messages gives queries that find each message again.
  auto ids = run_mailferry({"search", "--archive", dir, "--output", "messages", "--limit", "1", "--sort", "oldest"});
  REQUIRE(ids.exit_code == 0);
  REQUIRE(ids.out.rfind("id:", 0) == 0);
  std::string id_query = ids.out.substr(0, ids.out.find('\n'));
  auto again_by_id = run_mailferry({"search", "--archive", dir, "--output", "json", id_query});
  REQUIRE(again_by_id.exit_code == 0);
  REQUIRE(lines_of(again_by_id.out).size() == 1);
  CHECK("id:" + lines_of(again_by_id.out)[0]["message_id"].get<std::string>() == id_query);

  auto folder = run_mailferry({"search", "--archive", dir, "--output", "numbers", "--limit", "1000", "folder:INBOX"});
  REQUIRE(folder.exit_code == 0);
  CHECK_FALSE(folder.out.empty());
  CHECK(std::count(folder.out.begin(), folder.out.end(), '\n') < static_cast<long>(hits.size()));

  auto bad = run_mailferry({"search", "--archive", dir, "date:2023-13"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("query at character 1") != std::string::npos);

  auto reindex = run_mailferry({"archive", "reindex", "--archive", dir, "--language", "de"});
  INFO(reindex.out << reindex.err);
  REQUIRE(reindex.exit_code == 0);
  auto again = run_mailferry({"search", "--archive", dir, "--output", "json", "--limit", "1000"});
  CHECK(lines_of(again.out) == hits);

  auto audit = run_mailferry({"archive", "audit", "--archive", dir});
  CHECK(audit.out.find(" search ") != std::string::npos);
  CHECK(audit.out.find(" reindex ") != std::string::npos);
}

TEST_CASE("a_migration_that_archives_leaves_a_searchable_archive", "[integration][search]") {
  TwoServers servers(5);
  std::string dir = servers.dir() + "/archive";
  auto run = run_mailferry(with_args(servers.migrate_args(), {"--archive", dir, "-q"}));
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  auto found = run_mailferry({"search", "--archive", dir, "--output", "numbers", "--limit", "1000"});
  REQUIRE(found.exit_code == 0);
  CHECK(static_cast<std::size_t>(std::count(found.out.begin(), found.out.end(), '\n')) ==
        servers.filled().messages - 1);
}

TEST_CASE("archive_import_files_local_mail_under_the_account_it_is_given", "[integration][search]") {
  TwoServers servers(3);
  std::string dir = servers.dir() + "/archive";
  auto imported = run_mailferry({"archive", "import", "--archive", dir, "--account", "alice@example.org", "-q",
                                 "maildir:" + servers.source().maildir("alice")});
  INFO(imported.out << imported.err);
  REQUIRE(imported.exit_code == 0);
  auto mine = run_mailferry({"search", "--archive", dir, "--output", "numbers", "--limit", "1000",
                             "account:alice@example.org"});
  REQUIRE(mine.exit_code == 0);
  CHECK(static_cast<std::size_t>(std::count(mine.out.begin(), mine.out.end(), '\n')) == servers.filled().messages - 1);
  auto path = run_mailferry({"search", "--archive", dir, "--output", "numbers",
                             "account:\"" + servers.source().maildir("alice") + "\""});
  CHECK(path.out.empty());
}

TEST_CASE("what a hostile message says reaches the terminal disarmed and its id finds it again", "[integration][search]") {
  char templ[] = "/tmp/mailferry-test-XXXXXX";
  std::string tmp = ::mkdtemp(templ);
  std::string maildir = tmp + "/mail";
  for (const char* sub : {"/cur", "/new", "/tmp"}) std::filesystem::create_directories(maildir + sub);
  // An escape sequence in From: and Subject: (recolour, retitle the terminal), a '"' in the Message-ID.
  REQUIRE(write_file_atomically(maildir + "/cur/1:2,S",
                                "From: \x1b[31mEvil\x1b[0m <e@x.example>\r\nSubject: hi\x1b]0;owned\x07 there\xc2\x9b\r\n"
                                "Message-ID: <a\"b c@x.example>\r\nDate: Mon, 5 Jun 2023 10:00:00 +0200\r\n\r\nbody\r\n"));
  std::string dir = tmp + "/archive";
  REQUIRE(run_mailferry({"archive", "import", "--archive", dir, "maildir:" + maildir, "-q"}).exit_code == 0);
  auto summary = run_mailferry({"search", "--archive", dir});
  REQUIRE(summary.exit_code == 0);
  CHECK(summary.out.find('\x1b') == std::string::npos);
  CHECK(summary.out.find('\x07') == std::string::npos);
  CHECK(summary.out.find("\xc2\x9b") == std::string::npos);
  CHECK(summary.out.find("?[31mEvil") != std::string::npos);
  auto ids = run_mailferry({"search", "--archive", dir, "--output", "messages"});
  REQUIRE(ids.exit_code == 0);
  std::string query = ids.out.substr(0, ids.out.find('\n'));
  auto again = run_mailferry({"search", "--archive", dir, "--output", "numbers", query});
  INFO(query << ": " << again.err);
  CHECK(again.exit_code == 0);
  CHECK(again.out == "1\n");
  std::filesystem::remove_all(tmp);
}

TEST_CASE("an_index_killed_midway_resumes_and_finds_every_message_once", "[integration][search]") {
  TwoServers servers(400);
  std::string dir = servers.dir() + "/archive";
  // Small batches: many events, and the index commits (with its position) more than once.
  auto imported = run_mailferry({"archive", "import", "--archive", dir, "--batch-mb", "1", "-q",
                                 "maildir:" + servers.source().maildir("alice")},
                                {"MAILFERRY_CRASH_AT=index-committed:1"});
  INFO(imported.out << imported.err);
  REQUIRE(imported.exit_code == 137);  // SIGKILL after the index's first commit; the archive was complete before
  REQUIRE(servers.filled().messages > 1000);
  auto found = run_mailferry({"search", "--archive", dir, "--output", "numbers", "--limit", "100000"});
  INFO(found.err);
  REQUIRE(found.exit_code == 0);
  CHECK(found.out.find("index: ") == std::string::npos);  // numbers only on stdout
  std::vector<std::int64_t> numbers;
  std::istringstream in(found.out);
  for (std::int64_t n; in >> n;) numbers.push_back(n);
  std::sort(numbers.begin(), numbers.end());
  CHECK(std::adjacent_find(numbers.begin(), numbers.end()) == numbers.end());  // each once
  CHECK(numbers.size() == servers.filled().messages - 1);  // the identical edge cases are one message
}
