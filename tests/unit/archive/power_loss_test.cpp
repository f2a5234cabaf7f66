// Power cuts (tests/support/power_loss.h): what the archive acknowledged is
// there after the reboot, byte for byte, and the archive verifies. Each
// test fails when the fsync it stands on is taken out (the segment's before
// the catalog commit, the compacted copy's before it replaces a segment).
#include "archive/archive.h"
#include "tests/support/corpus.h"
#include "tests/support/power_loss.h"
#include "tests/support/temp_dir.h"

#include <ctime>

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::archive;

namespace {

std::vector<IngestRequest> requests_of(const std::vector<std::string>& mails, std::int64_t internaldate,
                                       std::uint32_t first_copy) {
  std::vector<IngestRequest> out;
  for (std::size_t i = 0; i < mails.size(); ++i)
    out.push_back({mails[i], Placement{"alice", "INBOX", {}, internaldate, "test", first_copy + static_cast<std::uint32_t>(i)}, {}});
  return out;
}

std::vector<std::string> recent_mail(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i)
    out.push_back("From: a@example.org\r\nSubject: this year " + std::to_string(i) + "\r\nMessage-ID: <r" +
                  std::to_string(i) + "@example.org>\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\n\r\nkept " +
                  std::to_string(i) + "\r\n");
  return out;
}

// Everything in `expected` (message number -> bytes) comes back, and verify finds nothing wrong.
void check_after_reboot(const std::string& dir, const std::map<std::int64_t, std::string>& expected) {
  auto a = Archive::open(dir, "test", false);
  REQUIRE(a);
  for (const auto& [number, bytes] : expected) {
    auto got = (*a)->get(number);
    INFO("message " << number);
    REQUIRE(got);
    CHECK(*got == bytes);
  }
  auto faults = (*a)->verify();
  REQUIRE(faults);
  for (const auto& f : *faults) UNSCOPED_INFO(f.kind << " " << f.where << ": " << f.what);
  CHECK(faults->empty());
}

}  // namespace

TEST_CASE("an acknowledged ingest is there after a power cut", "[archive][power]") {
  test::TempDir tmp;
  std::string dir = tmp.path + "/archive";
  auto mails = test::load_corpus_group("easy-ham-1", 40);
  REQUIRE(mails);
  std::map<std::int64_t, std::string> expected;
  {
    test::PowerLoss power;
    {
      auto a = Archive::open(dir, "test", true);
      REQUIRE(a);
      auto first = (*a)->ingest(requests_of({mails->begin(), mails->begin() + 20}, 1030960800, 0));
      REQUIRE(first);
      auto second = (*a)->ingest(requests_of({mails->begin() + 20, mails->end()}, 1030960800, 100));
      REQUIRE(second);  // acknowledged: from here on it must survive anything
      for (std::size_t i = 0; i < mails->size(); ++i) {
        auto& r = i < 20 ? (*first)[i] : (*second)[i - 20];
        if (r.outcome == IngestOutcome::Archived) expected[r.message] = (*mails)[i];
      }
      power.cut();
    }
    power.restore();
  }
  REQUIRE(expected.size() >= 35);
  check_after_reboot(dir, expected);
}

TEST_CASE("a purge is whole after a power cut: the purged are gone, the rest intact", "[archive][power]") {
  test::TempDir tmp;
  std::string dir = tmp.path + "/archive";
  auto old_mail = test::load_corpus_group("easy-ham-1", 30);  // 2002: past the standard 6 years
  REQUIRE(old_mail);
  auto kept = recent_mail(10);
  std::map<std::int64_t, std::string> expected;
  std::vector<std::int64_t> purged;
  {
    auto a = Archive::open(dir, "test", true);
    REQUIRE(a);
    auto old_results = (*a)->ingest(requests_of(*old_mail, 1030960800, 0));
    REQUIRE(old_results);
    for (const auto& r : *old_results) purged.push_back(r.message);
    auto kept_results = (*a)->ingest(requests_of(kept, std::time(nullptr), 100));
    REQUIRE(kept_results);
    for (std::size_t i = 0; i < kept.size(); ++i) expected[(*kept_results)[i].message] = kept[i];
  }
  {
    test::PowerLoss power;
    {
      auto a = Archive::open(dir, "test", false);
      REQUIRE(a);
      auto plan = (*a)->purge(false);
      REQUIRE(plan);
      CHECK(plan->messages == old_mail->size());
      CHECK(plan->segments_compacted == 1);
      power.cut();
    }
    power.restore();
  }
  check_after_reboot(dir, expected);
  auto a = Archive::open(dir, "test", false);
  REQUIRE(a);
  for (auto number : purged) {
    auto got = (*a)->get(number);
    REQUIRE_FALSE(got);
    CHECK(got.error().message.find("was purged") != std::string::npos);
  }
}
