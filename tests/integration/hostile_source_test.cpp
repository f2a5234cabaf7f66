// A source that misbehaves: a real Dovecot behind a proxy that rewrites what
// it sends, as a broken or hostile server would. Each case once lost or
// duplicated mail, or let the source run commands on the target.
#include "tests/integration/harness.h"
#include "tests/support/misbehaving_proxy.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <mutex>
#include <regex>

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::test;

namespace {

constexpr std::size_t kMessages = 12;

// Twelve small messages in INBOX, some \Seen, some with a keyword.
struct HostileSource {
  TwoServers servers{DovecotOptions{{}, '/'}, DovecotOptions{{}, '.'}};
  std::unique_ptr<MisbehavingProxy> proxy;

  explicit HostileSource(Misbehaviour misbehaviour) {
    std::vector<MaildirMessage> messages;
    for (std::size_t i = 1; i <= kMessages; ++i) {
      std::vector<std::string> flags;
      if (i % 2) flags.push_back("\\Seen");
      if (i % 3 == 0) flags.push_back("$Label1");
      messages.push_back({"Message-ID: <" + std::to_string(i) + "@hostile.test>\r\nSubject: message " +
                              std::to_string(i) + "\r\n\r\nbody " + std::to_string(i) + "\r\n",
                          flags, static_cast<std::time_t>(1030000000 + i)});
    }
    REQUIRE(write_maildir_folder(servers.source().maildir("alice"), {}, messages));
    servers.source().fix_ownership();
    proxy = std::make_unique<MisbehavingProxy>(servers.source().imap_port(), std::move(misbehaviour));
  }

  // migrate through the proxy, with a JSON report.
  std::vector<std::string> migrate_args() const {
    auto args = servers.migrate_args();
    auto it = std::find(args.begin(), args.end(), "--from");
    *(it + 1) = "imap://alice@127.0.0.1:" + std::to_string(proxy->port());
    return with_args(args, {"--retries", "0"});
  }
  std::string report() const { return servers.dir() + "/report.json"; }
};

bool is_fetch(const std::string& response) { return std::regex_search(response, std::regex("^\\* \\d+ FETCH \\(")); }
bool is_message(const std::string& response) {
  return is_fetch(response) && response.find("BODY[] {") != std::string::npos;
}
std::uint32_t uid_of(const std::string& response) {
  std::smatch m;
  if (!std::regex_search(response, m, std::regex("UID (\\d+)"))) return 0;
  return static_cast<std::uint32_t>(std::stoul(m[1]));
}

std::vector<std::string> target_folders(const ImapServer& target) {
  std::vector<std::string> names;
  REQUIRE(with_client(target, "alice", [&](imapclient::Client& c) -> net::Task<Result<void>> {
    MF_CO_TRY(boxes, co_await c.list());
    for (auto& b : boxes) names.push_back(b.name);
    co_return Result<void>{};
  }));
  return names;
}

}  // namespace

TEST_CASE("a_status_line_ending_in_a_literal_marker_does_not_swallow_the_next_response", "[integration][hostile]") {
  // RFC 9051 §7.1: resp-text holds no literal. Taken for one, "{2}" ate the
  // start of the next FETCH: a message lost in the scan, another in the copy.
  HostileSource hostile({.rewrite = [](const std::string& r) {
    return is_fetch(r) ? "* OK [ALERT] see {2}\r\n" + r : r;
  }});
  auto report = run_json(hostile.migrate_args(), hostile.report());
  CHECK(report["copied"] == kMessages);
  CHECK(report["folders"][0]["vanished"] == 0);
  CHECK(messages_on(hostile.servers.target()) == kMessages);
  auto verify = run_mailferry(hostile.servers.verify_args());
  INFO(verify.out);
  CHECK(verify.exit_code == 0);
}

TEST_CASE("a_repeated_fetch_response_is_appended_once", "[integration][hostile]") {
  HostileSource hostile({.rewrite = [](const std::string& r) { return is_message(r) ? r + r : r; }});
  auto report = run_json(hostile.migrate_args(), hostile.report());
  CHECK(report["copied"] == kMessages);
  CHECK(messages_on(hostile.servers.target()) == kMessages);
  CHECK(state_number(hostile.servers.state_path(), "SELECT COUNT(*) FROM messages") == kMessages);
}

TEST_CASE("keywords_that_are_not_atoms_are_left_out_and_reported_never_sent", "[integration][hostile]") {
  // A keyword as a literal holding CR LF and a command: sent raw into the
  // APPEND, it made the target run "X1 CREATE Injected". A quoted "a b)"
  // made the target answer BAD and ended the account.
  const std::string injected = "k\r\nX1 CREATE Injected";
  HostileSource hostile({.rewrite = [&](const std::string& r) {
    auto at = r.find("FLAGS (");
    if (!is_fetch(r) || at == std::string::npos) return r;
    std::string keyword = "{" + std::to_string(injected.size()) + "}\r\n" + injected + " \"a b)\" ";
    return r.substr(0, at + 7) + keyword + r.substr(at + 7);
  }});
  auto report = run_json(hostile.migrate_args(), hostile.report());
  CHECK(report["copied"] == kMessages);
  CHECK(messages_on(hostile.servers.target()) == kMessages);
  for (const auto& name : target_folders(hostile.servers.target())) CHECK(name != "Injected");
  const auto& notes = report["folders"][0]["notes"];
  REQUIRE(notes.size() == 2 * kMessages);
  CHECK(notes[0]["note"].get<std::string>().find("not a valid IMAP flag") != std::string::npos);
  CHECK(notes[0]["note"].get<std::string>().find("\\x0d\\x0aX1 CREATE Injected") != std::string::npos);
  // The real flags still arrived: the source itself (without the proxy) matches.
  auto verify = run_mailferry(hostile.servers.verify_args());
  INFO(verify.out);
  CHECK(verify.exit_code == 0);
}

TEST_CASE("an_invalid_internaldate_is_left_out_and_the_message_still_copied", "[integration][hostile]") {
  HostileSource hostile({.rewrite = [](const std::string& r) {
    if (!is_message(r) || uid_of(r) != 2) return r;
    return std::regex_replace(r, std::regex("INTERNALDATE \"[^\"]*\""), "INTERNALDATE \"31-Foo-2020 99:00:00 +0000\"",
                              std::regex_constants::format_first_only);
  }});
  for (int run = 0; run < 2; ++run) {  // a re-run is fine too: nothing left to do
    auto report = run_json(hostile.migrate_args(), hostile.report());
    CHECK(report["copied"] == (run == 0 ? kMessages : 0));
    if (run == 0) {
      REQUIRE(report["folders"][0]["notes"].size() == 1);
      CHECK(report["folders"][0]["notes"][0]["source_uid"] == 2);
      CHECK(report["folders"][0]["notes"][0]["note"].get<std::string>().find("INTERNALDATE") != std::string::npos);
    }
  }
  CHECK(messages_on(hostile.servers.target()) == kMessages);
}

TEST_CASE("a_no_to_fetch_keeps_what_arrived_and_names_the_unreadable_uid", "[integration][hostile]") {
  // The server drops UID 5 from every FETCH and answers NO: before, the whole
  // folder failed on every run, naming no UID.
  struct Rule {
    std::mutex mutex;
    bool refuse_next = false;
  };
  auto rule = std::make_shared<Rule>();
  HostileSource hostile({.rewrite = [rule](const std::string& r) {
    std::lock_guard lock(rule->mutex);
    if (is_message(r) && uid_of(r) == 5) {
      rule->refuse_next = true;
      return std::string();
    }
    if (rule->refuse_next && r[0] != '*' && r[0] != '+' && r.find(" OK ") != std::string::npos) {
      rule->refuse_next = false;
      return r.substr(0, r.find(" OK ")) + " NO Some messages could not be FETCHed (hostile)\r\n";
    }
    return r;
  }});
  auto report = run_json(hostile.migrate_args(), hostile.report(), 1);
  CHECK(report["copied"] == kMessages - 1);
  const auto& failures = report["folders"][0]["failures"];
  REQUIRE(failures.size() == 1);
  CHECK(failures[0]["source_uid"] == 5);
  CHECK(failures[0]["reason"].get<std::string>().find("could not read") != std::string::npos);
  CHECK(report["folders"][0]["error"].is_null());
  CHECK(messages_on(hostile.servers.target()) == kMessages - 1);
  // Straight from the source, the last one comes too, and nothing twice.
  auto rerun = run_json(hostile.servers.migrate_args(), hostile.report());
  CHECK(rerun["copied"] == 1);
  CHECK(messages_on(hostile.servers.target()) == kMessages);
}

TEST_CASE("namespaces_without_spaces_between_them_as_courier_sends_them", "[integration][hostile]") {
  // RFC 2342 §5 puts no space between namespace descriptions; Courier-IMAP
  // sends them so, and the parser stopped the run.
  HostileSource hostile({.rewrite = [](const std::string& r) {
    if (r.rfind("* NAMESPACE ", 0) != 0) return r;
    return std::string("* NAMESPACE ((\"\" \"/\")(\"Other/\" \"/\")) NIL ((\"#shared.\" \".\")(\"shared.\" \".\"))\r\n");
  }});
  auto report = run_json(hostile.migrate_args(), hostile.report());
  CHECK(report["copied"] == kMessages);
  auto verify = run_mailferry(hostile.servers.verify_args());
  INFO(verify.out);
  CHECK(verify.exit_code == 0);
}
