// Which messages a migration takes: --since/--before/--max-size (verify
// applies the same filter) and the target's size limit (APPENDLIMIT or a
// refusal): too-large messages are reported, the rest is copied.
#include "tests/integration/harness.h"

#include "imap/date.h"

#include <nlohmann/json.hpp>

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::test;
using nlohmann::json;

namespace {

struct SourceMessage {
  std::uint64_t size = 0;
  std::int64_t date = 0;
};

// Size and INTERNALDATE of every message of alice's on server.
std::vector<SourceMessage> sizes_and_dates(const ImapServer& server) {
  std::vector<SourceMessage> out;
  auto read = with_client(server, "alice", [&](imapclient::Client& c) -> net::Task<Result<void>> {
    MF_CO_TRY(boxes, co_await c.list());
    for (const auto& box : boxes) {
      if (!box.selectable()) continue;
      MF_CO_TRY(selected, co_await c.select(box.name, true));
      if (selected.exists == 0) continue;
      MF_CO_CHECK(co_await c.uid_fetch(imap::SequenceSet::range(1, imap::SequenceSet::kStar),
                                       "(UID RFC822.SIZE INTERNALDATE)", [&](imap::FetchData& f) -> Result<void> {
                                         out.push_back({*f.size, imap::parse_date_time(*f.internaldate)->epoch});
                                         return {};
                                       }));
    }
    co_return Result<void>{};
  });
  REQUIRE(read);
  return out;
}

std::uint64_t sum_of(const json& report, const char* field) {
  std::uint64_t n = 0;
  for (const auto& f : report["folders"]) n += f[field].get<std::uint64_t>();
  return n;
}

}  // namespace

TEST_CASE("since_before_and_max_size_select_messages_and_verify_agrees", "[integration][target][filters]") {
  TwoServers servers(30);
  const std::int64_t since = 1028005200;   // 2002-07-30T05:00:00Z
  const std::int64_t before = 1028012400;  // 2002-07-30T07:00:00Z
  std::size_t expected = 0;
  auto all = sizes_and_dates(servers.source());
  for (const auto& m : all) expected += m.date >= since && m.date < before && m.size <= 4096;
  REQUIRE(expected > 5);
  REQUIRE(expected < all.size() / 2);
  std::initializer_list<std::string> filter = {"--since", "2002-07-30T05:00:00Z", "--before", "2002-07-30T07:00:00",
                                               "--max-size", "4K"};

  auto report = servers.dir() + "/migrate.json";
  auto run_report = run_json(with_args(servers.migrate_args(), filter), report);
  auto j = run_report;
  CHECK(j["copied"] == expected);
  CHECK(sum_of(j, "filtered") == all.size() - expected);
  CHECK(messages_on(servers.target()) == expected);

  auto verify = run_mailferry(with_args(servers.verify_args(), filter));
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
  auto unfiltered = run_mailferry(with_args(servers.verify_args(), {"--json", report}));
  INFO(unfiltered.out << unfiltered.err);
  CHECK(unfiltered.exit_code == 1);  // the rest is missing, and verify says so
  std::size_t missing = 0;
  auto v = json::parse(read_text(report));  // kept: a range-for over a temporary's member would dangle
  for (const auto& f : v["folders"])
    for (const auto& d : f["differences"]) missing += d["kind"] == "missing";
  CHECK(missing == all.size() - expected);

  SECTION("a later pass without the filter copies the rest") {
    auto rest_report = run_json(servers.migrate_args(), report);
    CHECK(rest_report["copied"] == all.size() - expected);
    CHECK(run_mailferry(servers.verify_args()).exit_code == 0);
  }

  SECTION("a wrong filter is a usage error") {
    CHECK(run_mailferry(with_args(servers.migrate_args(), {"--since", "30.07.2002"})).exit_code == 2);
    CHECK(run_mailferry(with_args(servers.migrate_args(), {"--max-size", "big"})).exit_code == 2);
  }
}

TEST_CASE("messages_over_the_targets_size_limit_are_reported_and_the_rest_copied", "[integration][filters]") {
  const std::uint64_t limit = 6000;
  bool announce = GENERATE(true, false);
  DovecotOptions target{{}, '.'};
  target.max_mail_size = limit;
  target.announce_append_limit = announce;
  TwoServers servers(DovecotOptions{{}, '/'}, target);
  auto filled = fill_standard_mailbox(servers.source(), "alice", 15);
  REQUIRE(filled);
  std::size_t too_large = 0;
  for (const auto& m : sizes_and_dates(servers.source())) too_large += m.size > limit;
  REQUIRE(too_large > 0);

  auto report = servers.dir() + "/migrate.json";
  auto run_report = run_json(servers.migrate_args(), report, 1);
  auto j = run_report;
  CHECK(j["error"].is_null());
  CHECK(j["failed"] == too_large);
  CHECK(j["copied"] == filled->messages - too_large);
  CHECK(messages_on(servers.target()) == filled->messages - too_large);
  for (const auto& f : j["folders"])
    for (const auto& failure : f["failures"])
      CHECK_THAT(failure["reason"].get<std::string>(),
                 Catch::Contains(announce ? "its APPENDLIMIT is 6000 bytes" : "larger than"));
}
