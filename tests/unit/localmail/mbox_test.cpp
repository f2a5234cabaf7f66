#include "localmail/store.h"

#include "core/atomic_file.h"
#include "tests/support/temp_dir.h"

#include <filesystem>
#include <unistd.h>

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::localmail;
using mf::test::TempDir;

namespace {

std::vector<std::string> read_all(Store& store, const StoredFolder& folder) {
  auto messages = store.messages(folder);
  REQUIRE(messages);
  std::vector<std::string> out;
  for (const auto& m : *messages) out.push_back(store.read(m).value());
  return out;
}

}  // namespace

TEST_CASE("mbox messages split at From_ lines, unescaped, with dates and flags", "[localmail][mbox]") {
  TempDir dir;
  REQUIRE(write_file_atomically(dir.path + "/box",
                                "From a@b Sat Aug 31 12:00:00 2002\r\nSubject: one\r\nStatus: RO\r\nX-Status: AF\r\n\r\n"
                                ">From the start\r\n\r\n"
                                "From c@d Mon Jan  1 00:00:00 2024\nSubject: two\n\nFrom-less body\nlast line\n"));
  auto store = open_store("mbox:" + dir.path + "/box");
  REQUIRE(store);
  auto folders = (*store)->folders();
  REQUIRE(folders);
  REQUIRE(folders->size() == 1);
  auto messages = (*store)->messages((*folders)[0]);
  REQUIRE(messages);
  REQUIRE(messages->size() == 2);
  CHECK((*messages)[0].date == 1030795200);  // 2002-08-31T12:00:00Z
  CHECK((*messages)[1].date == 1704067200);
  CHECK((*messages)[0].flags == std::vector<std::string>{"\\Seen", "\\Answered", "\\Flagged"});
  auto bodies = read_all(**store, (*folders)[0]);
  CHECK(bodies[0] == "Subject: one\r\nStatus: RO\r\nX-Status: AF\r\n\r\nFrom the start\r\n");
  CHECK(bodies[1] == "Subject: two\n\nFrom-less body\nlast line\n");
}

TEST_CASE("identical mbox messages get distinct, stable keys", "[localmail][mbox]") {
  TempDir dir;
  std::string m = "From x Sat Aug 31 12:00:00 2002\nSubject: same\n\nbody\n\n";
  REQUIRE(write_file_atomically(dir.path + "/box", m + m));
  auto store = open_store("mbox:" + dir.path + "/box");
  REQUIRE(store);
  auto messages = (*store)->messages(StoredFolder{{"INBOX"}});
  REQUIRE((*store)->folders());
  messages = (*store)->messages(StoredFolder{{"INBOX"}});
  REQUIRE(messages);
  REQUIRE(messages->size() == 2);
  CHECK((*messages)[0].key != (*messages)[1].key);
  CHECK((*messages)[0].key.substr(0, 64) == (*messages)[1].key.substr(0, 64));
}

TEST_CASE("a file that is not an mbox is refused by name", "[localmail][mbox]") {
  TempDir dir;
  REQUIRE(write_file_atomically(dir.path + "/box", "Subject: x\n\nno From_ line\n"));
  auto store = open_store("mbox:" + dir.path + "/box");
  REQUIRE(store);
  REQUIRE((*store)->folders());
  auto messages = (*store)->messages(StoredFolder{{"INBOX"}});
  REQUIRE_FALSE(messages);
  CHECK_THAT(messages.error().describe(), Catch::Contains("not an mbox file") && Catch::Contains("/box"));
}

TEST_CASE("maildir flags and keywords come from file names", "[localmail][maildir]") {
  TempDir dir;
  for (const char* sub : {"/cur", "/new", "/tmp", "/.Sent/cur", "/.Entw&APw-rfe/cur", "/.A.B/cur"})
    std::filesystem::create_directories(dir.path + sub);
  REQUIRE(write_file_atomically(dir.path + "/dovecot-keywords", "0 Work\n1 $Label1\n"));
  REQUIRE(write_file_atomically(dir.path + "/cur/100.M1P1.host,S=5:2,RSab", "hello"));
  REQUIRE(write_file_atomically(dir.path + "/new/200.M2P1.host", "new"));
  auto store = open_store("maildir:" + dir.path);
  REQUIRE(store);
  auto folders = (*store)->folders();
  REQUIRE(folders);
  std::vector<std::vector<std::string>> names;
  for (const auto& f : *folders) names.push_back(f.levels);
  CHECK(names == std::vector<std::vector<std::string>>{{"INBOX"}, {"A", "B"}, {"Entw\xc3\xbcrfe"}, {"Sent"}});
  auto messages = (*store)->messages((*folders)[0]);
  REQUIRE(messages);
  REQUIRE(messages->size() == 2);
  CHECK((*messages)[0].key == "100.M1P1.host,S=5");
  CHECK((*messages)[0].flags == std::vector<std::string>{"\\Answered", "\\Seen", "Work", "$Label1"});
  CHECK((*messages)[1].flags.empty());
  // Renamed meanwhile (a client set a flag): still found by its key.
  std::filesystem::rename(dir.path + "/cur/100.M1P1.host,S=5:2,RSab", dir.path + "/cur/100.M1P1.host,S=5:2,FRSab");
  CHECK((*store)->read((*messages)[0]).value() == "hello");
}
