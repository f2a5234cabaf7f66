// The archive's zstd dictionary: trained from the archive's own mail even
// when an odd message (a 20,000-byte line of one letter) comes early.
#include "archive/archive.h"
#include "core/sqlite.h"

#include <filesystem>
#include <random>

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::archive;
namespace fs = std::filesystem;

namespace {

std::string mail(int i, std::size_t body_size, std::mt19937& rng) {
  static const char* words[] = {"invoice", "meeting", "the",    "report", "please", "attached", "quarter",
                                "budget",  "review",  "thanks", "regards", "project", "deadline", "update"};
  std::string m = "Received: from mx" + std::to_string(i % 5) + ".example.org by mail.example.org\r\n"
                  "From: user" + std::to_string(i % 17) + "@example.org\r\nTo: team@example.org\r\n"
                  "Subject: Report " + std::to_string(i) + "\r\nMessage-ID: <" + std::to_string(i) + "@example.org>\r\n"
                  "Date: Mon, 2 Sep 2002 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
                  "Content-Type: text/plain; charset=us-ascii\r\n\r\n";
  while (m.size() < body_size) {
    m += words[rng() % std::size(words)];
    m += rng() % 12 == 0 ? "\r\n" : " ";
  }
  return m;
}

std::vector<IngestRequest> requests_of(const std::vector<std::string>& mails, int first) {
  std::vector<IngestRequest> out;
  for (std::size_t i = 0; i < mails.size(); ++i)
    out.push_back(IngestRequest{mails[i], Placement{"alice", "INBOX", {}, 1030960800, "test", static_cast<std::uint32_t>(first + i)}, {}});
  return out;
}

}  // namespace

TEST_CASE("a dictionary is trained even when an odd message comes first", "[archive]") {
  std::string dir = (fs::temp_directory_path() / ("mf-dictionary-" + std::to_string(::getpid()))).string();
  fs::remove_all(dir);
  std::mt19937 rng(7);
  {
    auto a = Archive::open(dir, "test", true);
    REQUIRE(a.has_value());
    std::vector<std::string> first;
    for (int i = 0; i < 5; ++i) first.push_back(mail(i, 2000, rng));
    first.push_back("Subject: odd\r\n\r\n" + std::string(20000, 'x') + "\r\n");
    std::vector<std::string> large, small;
    for (int i = 0; i < 62; ++i) large.push_back(mail(100 + i, 15000, rng));
    for (int i = 0; i < 62; ++i) large.push_back(mail(200 + i, 15000, rng));
    for (int i = 0; i < 300; ++i) small.push_back(mail(300 + i, 3000, rng));
    REQUIRE((*a)->ingest(requests_of(first, 0)).has_value());
    REQUIRE((*a)->ingest(requests_of({large.begin(), large.begin() + 62}, 100)).has_value());
    REQUIRE((*a)->ingest(requests_of({large.begin() + 62, large.end()}, 200)).has_value());
    REQUIRE((*a)->ingest(requests_of(small, 300)).has_value());
  }
  auto db = sql::Database::open(dir + "/archive.db");
  REQUIRE(db.has_value());
  auto q = db->prepare("SELECT COUNT(*) FROM dictionaries");
  REQUIRE(q.has_value());
  REQUIRE(q->step().value());
  CHECK(q->column_int(0) == 1);
  fs::remove_all(dir);
}
