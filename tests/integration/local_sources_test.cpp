// Local mail as the source: a Maildir++ tree (the source Dovecot's own, so
// verify can compare it over IMAP too), mbox files and .eml directories.
#include "tests/integration/harness.h"

#include "core/atomic_file.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <utime.h>

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The raw messages of one of alice's folders on server, with their flags.
std::vector<std::pair<std::string, std::vector<std::string>>> messages_in(const ImapServer& server,
                                                                          const std::string& folder) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  auto read = with_client(server, "alice", [&](imapclient::Client& c) -> net::Task<Result<void>> {
    MF_CO_TRY(selected, co_await c.select(folder, true));
    if (selected.exists == 0) co_return Result<void>{};
    co_return co_await c.uid_fetch(imap::SequenceSet::range(1, imap::SequenceSet::kStar), "(FLAGS BODY.PEEK[])",
                                   [&](imap::FetchData& f) -> Result<void> {
                                     out.emplace_back(f.section("BODY[]")->data.text, *f.flags);
                                     return {};
                                   });
  });
  REQUIRE(read);
  return out;
}

std::uint64_t copied(const std::string& report) { return json::parse(read_text(report))["copied"]; }

// A message as IMAP hands it out: CRLF line ends.
std::string crlf(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

// An mbox file of these messages, each after a From_ line (RFC 4155).
void write_mbox(const std::string& path, const std::vector<std::string>& messages) {
  std::string text;
  for (const auto& m : messages) text += "From sender@example.org Sat Aug 31 12:00:00 2002\n" + m + "\n";
  REQUIRE(write_file_atomically(path, text));
}

}  // namespace

TEST_CASE("a_maildir_tree_migrates_like_the_server_that_serves_it", "[integration][local]") {
  TwoServers servers(20);
  std::string maildir = "maildir:" + servers.source().maildir("alice");
  auto report = servers.dir() + "/migrate.json";
  auto run = run_mailferry(with_args(with_source(servers.migrate_args(), maildir, false), {"--json", report}));
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(copied(report) == servers.filled().messages);
  // The same mail read by Dovecot over IMAP: bytes, flags, keywords and dates all match.
  auto verify = run_mailferry(servers.verify_args());
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
  auto local_verify = run_mailferry(with_source(servers.verify_args(), maildir, false));
  INFO(local_verify.out << local_verify.err);
  CHECK(local_verify.exit_code == 0);

  // A re-run copies nothing; a message delivered since is copied alone.
  auto again = run_mailferry(with_args(with_source(servers.migrate_args(), maildir, false), {"--json", report}));
  CHECK(again.exit_code == 0);
  CHECK(copied(report) == 0);
  std::string file = servers.source().maildir("alice") + "/new/1800000000.M1P1.newhost";
  REQUIRE(write_file_atomically(file, "From: a@example.org\r\nSubject: new\r\n\r\nnew mail\r\n"));
  auto newer = run_mailferry(with_args(with_source(servers.migrate_args(), maildir, false), {"--json", report}));
  INFO(newer.out << newer.err);
  CHECK(newer.exit_code == 0);
  CHECK(copied(report) == 1);
  CHECK(messages_on(servers.target()) == servers.filled().messages + 1);
}

TEST_CASE("mbox_files_with_thunderbird_subfolders_arrive_unescaped_with_their_flags", "[integration][local]") {
  TwoServers servers(DovecotOptions{{}, '/'}, DovecotOptions{{}, '.'});
  auto corpus = load_corpus_group("easy-ham-1", 6);
  REQUIRE(corpus);
  std::string dir = servers.dir() + "/mail";
  fs::create_directories(dir + "/Lists.sbd");
  // ">From " in the file is "From " in the message (mboxrd); Status: RO is \Seen.
  std::string escaped = "From: a@example.org\nSubject: quoting\nStatus: RO\n\nHello\n>From here on\n>>From there\n";
  write_mbox(dir + "/Inbox", {(*corpus)[0], (*corpus)[1], escaped});
  write_mbox(dir + "/Lists", {(*corpus)[2]});
  write_mbox(dir + "/Lists.sbd/Debian", {(*corpus)[3], (*corpus)[4], (*corpus)[4]});  // a duplicate stays two
  REQUIRE(write_file_atomically(dir + "/Lists.msf", "Thunderbird's index, not mail"));

  auto report = servers.dir() + "/migrate.json";
  auto run = run_mailferry(with_args(with_source(servers.migrate_args(), "mbox:" + dir, false), {"--json", report}));
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(copied(report) == 7);
  auto inbox = messages_in(servers.target(), "INBOX");
  REQUIRE(inbox.size() == 3);
  CHECK(inbox[2].first ==
        crlf("From: a@example.org\nSubject: quoting\nStatus: RO\n\nHello\nFrom here on\n>From there\n"));
  CHECK(inbox[2].second == std::vector<std::string>{"\\Seen"});
  CHECK(inbox[0].first == crlf((*corpus)[0]));
  CHECK(messages_in(servers.target(), "Lists.Debian").size() == 3);

  auto again = run_mailferry(with_args(with_source(servers.migrate_args(), "mbox:" + dir, false), {"--json", report}));
  CHECK(again.exit_code == 0);
  CHECK(copied(report) == 0);
  auto verify = run_mailferry(with_source(servers.verify_args(), "mbox:" + dir, false));
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);

  SECTION("a file that is not an mbox fails its folder, by name") {
    REQUIRE(write_file_atomically(dir + "/Broken", "Subject: no From_ line\n\nbody\n"));
    auto broken = run_mailferry(with_source(servers.migrate_args(), "mbox:" + dir, false));
    CHECK(broken.exit_code == 1);
    CHECK(broken.out.find("not an mbox file") != std::string::npos);
  }
}

TEST_CASE("a_directory_of_eml_files_becomes_folders", "[integration][local]") {
  TwoServers servers(DovecotOptions{{}, '/'}, DovecotOptions{{}, '/'});
  auto corpus = load_corpus_group("spam-1", 3);
  REQUIRE(corpus);
  std::string dir = servers.dir() + "/export";
  fs::create_directories(dir + "/Projekte/Alt");
  REQUIRE(write_file_atomically(dir + "/a.eml", (*corpus)[0]));
  REQUIRE(write_file_atomically(dir + "/b.eml", (*corpus)[1]));
  REQUIRE(write_file_atomically(dir + "/Projekte/Alt/c.eml", (*corpus)[2]));
  utimbuf times{1030000000, 1030000000};  // becomes INTERNALDATE
  ::utime((dir + "/a.eml").c_str(), &times);

  auto report = servers.dir() + "/migrate.json";
  auto run = run_mailferry(with_args(with_source(servers.migrate_args(), "eml:" + dir, false), {"--json", report}));
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(copied(report) == 3);
  CHECK(messages_in(servers.target(), "INBOX").size() == 2);
  CHECK(messages_in(servers.target(), "Projekte/Alt").size() == 1);
  auto verify = run_mailferry(with_source(servers.verify_args(), "eml:" + dir, false));
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
  CHECK(run_mailferry(with_source(servers.migrate_args(), "eml:" + dir + "/missing", false)).exit_code == 2);
}

TEST_CASE("a_maildir_whose_inbox_is_a_subdirectory_is_read_whole", "[integration][local]") {
  // mbsync's "SubFolders Verbatim" and many exported trees: INBOX/ beside
  // the other folders, the root itself no Maildir. It was read as an empty
  // INBOX, with "0 folders failed".
  TwoServers servers(DovecotOptions{{}, '/'}, DovecotOptions{{}, '.'});
  std::string root = servers.dir() + "/verbatim";
  auto write = [&](const std::string& dir, int count) {
    for (const char* sub : {"cur", "new", "tmp"}) fs::create_directories(root + "/" + dir + "/" + sub);
    for (int i = 0; i < count; ++i) {
      std::ofstream f(root + "/" + dir + "/cur/" + std::to_string(1030000000 + i) + "." + dir.substr(0, 1) + ":2,S");
      f << "Subject: " << dir << " " << i << "\nMessage-ID: <" << i << "." << dir.size() << "@verbatim.test>\n\nbody\n";
    }
  };
  write("INBOX", 3);
  write("INBOX/Child", 1);
  write("Sent", 2);
  auto report = servers.dir() + "/import.json";
  auto import = run_mailferry({"archive", "import", "--archive", servers.dir() + "/archive", "maildir:" + root, "-q",
                               "--json", report});
  INFO(import.out << import.err);
  CHECK(import.exit_code == 0);
  auto stats = run_json({"archive", "stats", "--archive", servers.dir() + "/archive"}, servers.dir() + "/stats.json");
  CHECK(stats["placements"] == 6);
  auto migrated = servers.dir() + "/migrate.json";
  auto run = run_mailferry(with_args(with_source(servers.migrate_args(), "maildir:" + root, false), {"--json", migrated}));
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  CHECK(copied(migrated) == 6);
  CHECK(messages_on(servers.target()) == 6);

  // Mail in a directory this layout does not read is an error, not silence.
  write(".Junk/stray", 1);
  write(".Junk", 1);
  auto stray = run_mailferry({"archive", "import", "--archive", servers.dir() + "/archive2", "maildir:" + root, "-q"});
  INFO(stray.out << stray.err);
  CHECK(stray.exit_code != 0);
  CHECK((stray.out + stray.err).find("belong to no folder") != std::string::npos);
  CHECK((stray.out + stray.err).find(".Junk/stray") != std::string::npos);
}

TEST_CASE("an_import_of_local_files_accounts_for_every_message_on_disk_and_names_a_rejected_file",
          "[integration][local]") {
  TwoServers servers(DovecotOptions{{}, '/'}, DovecotOptions{{}, '.'});
  auto corpus = load_corpus_group("easy-ham-1", 3);
  REQUIRE(corpus);
  // mutt's layout: mbox files in plain subdirectories. They were not read at
  // all ("seen 2", exit 0); now they are folders, and the count on disk says so.
  std::string mbox = servers.dir() + "/Mail";
  fs::create_directories(mbox + "/lists");
  write_mbox(mbox + "/Inbox", {(*corpus)[0], (*corpus)[1]});
  write_mbox(mbox + "/lists/debian", {(*corpus)[2]});
  auto report = servers.dir() + "/import.json";
  auto import = run_mailferry(
      {"archive", "import", "--archive", servers.dir() + "/archive", "mbox:" + mbox, "-q", "--json", report});
  INFO(import.out << import.err);
  CHECK(import.exit_code == 0);
  CHECK(import.out.find("on disk 3 messages, every one seen") != std::string::npos);
  auto j = nlohmann::json::parse(read_text(report));
  CHECK(j["seen"] == 3);
  CHECK(j["on_disk"] == 3);

  // An empty file is rejected by the archive: the rejection names the file.
  std::string eml = servers.dir() + "/eml";
  fs::create_directories(eml);
  REQUIRE(write_file_atomically(eml + "/good.eml", (*corpus)[0]));
  REQUIRE(write_file_atomically(eml + "/empty.eml", ""));
  auto rejected = run_mailferry({"archive", "import", "--archive", servers.dir() + "/archive", "eml:" + eml, "-q"});
  INFO(rejected.out << rejected.err);
  CHECK(rejected.exit_code == 1);
  CHECK(rejected.out.find("rejected: " + eml + "/empty.eml: empty message") != std::string::npos);
}
