// migrate and verify against two real Dovecot servers holding real mail.
#include "tests/integration/harness.h"
#include "tests/support/misbehaving_proxy.h"

#include "core/atomic_file.h"
#include "core/file_lock.h"
#include "core/sqlite.h"

#include <nlohmann/json.hpp>

#include <filesystem>

#include <unistd.h>

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::test;
using nlohmann::json;

namespace {

json read_json(const std::string& path) { return json::parse(read_text(path)); }

}  // namespace

TEST_CASE("migrate_copies_everything_and_verify_finds_no_difference", "[integration][target]") {
  TwoServers servers(30);
  auto report = servers.dir() + "/migrate.json";
  auto j = run_json(servers.migrate_args(), report);
  CHECK(j["complete"] == true);
  CHECK(j["copied"] == servers.filled().messages);
  CHECK(state_number(servers.state_path(), "SELECT COUNT(*) FROM messages") == static_cast<std::int64_t>(servers.filled().messages));

  // Nested folders arrive under the target's delimiter, the non-ASCII name intact,
  // and the two byte-identical messages stay two.
  bool saw_nested = false, saw_umlaut = false;
  for (const auto& f : j["folders"]) {
    if (f["source"] == "Archive/2002") saw_nested = true;
    if (f["source"] == "Entw\xc3\xbcrfe") {
      saw_umlaut = true;
      CHECK(f["copied"] == 7);
    }
  }
  CHECK(saw_nested);
  CHECK(saw_umlaut);
  CHECK(messages_on(servers.target()) == servers.filled().messages);

  auto verify_report = servers.dir() + "/verify.json";
  auto verify = run_mailferry(with_args(servers.verify_args(), {"--json", verify_report}));
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
  CHECK(verify.out.find("verify: OK") != std::string::npos);
  auto v = read_json(verify_report);
  CHECK(v["identical"] == true);
  std::size_t matched = 0;
  for (const auto& f : v["folders"]) matched += f["matched"].get<std::size_t>();
  CHECK(matched == servers.filled().messages);

  SECTION("a re-run copies nothing and duplicates nothing") {
    auto j2 = run_json(servers.migrate_args(), report);
    CHECK(j2["copied"] == 0);
    CHECK(j2["already_copied"] == servers.filled().messages);
    CHECK(messages_on(servers.target()) == servers.filled().messages);
  }
  SECTION("a second run on the same state file while one runs is refused") {
    auto held = FileLock::take(servers.state_path() + ".lock", "the state file");
    REQUIRE(held.has_value());
    auto refused = run_mailferry(servers.migrate_args());
    INFO(refused.err);
    CHECK(refused.exit_code == 5);
    CHECK(refused.err.find("is in use by mailferry pid " + std::to_string(::getpid())) != std::string::npos);
  }
}

TEST_CASE("migrate_over_tls_and_starttls_verifies_the_certificate", "[integration][target][tls]") {
  TwoServers servers(10);
  auto run = run_mailferry(servers.migrate_args(true));
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  auto verify = run_mailferry(servers.verify_args(true));
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);

  // imap:// upgrades with STARTTLS when offered: same CA, same result.
  auto starttls = servers.verify_args(false);
  starttls.erase(std::find(starttls.begin(), starttls.end(), "--no-starttls"));
  starttls.push_back("--tls-ca-file");
  starttls.push_back(servers.source().ca_file());
  auto upgraded = run_mailferry(starttls);
  INFO(upgraded.out << upgraded.err);
  CHECK(upgraded.exit_code == 0);

  // Without the CA the self-signed certificate is refused, naming why.
  auto untrusted = servers.verify_args(true);
  untrusted.resize(untrusted.size() - 2);
  auto refused = run_mailferry(untrusted);
  CHECK(refused.exit_code == 4);
  CHECK(refused.err.find("certificate") != std::string::npos);

  // --tls-insecure accepts it, and says so.
  auto insecure = run_mailferry(with_args(untrusted, {"--tls-insecure"}));
  CHECK(insecure.exit_code == 0);
  CHECK(insecure.err.find("not verified") != std::string::npos);
}

TEST_CASE("passwords_come_from_the_environment_and_never_from_nowhere", "[integration][target][errors]") {
  TwoServers servers(3);
  auto args = servers.verify_args();
  for (auto flag : {"--from-password-file", "--to-password-file"}) {
    auto it = std::find(args.begin(), args.end(), flag);
    args.erase(it, it + 2);
  }
  auto missing = run_mailferry(args);
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("MAILFERRY_FROM_PASSWORD") != std::string::npos);

  // The target is still empty: every message is missing, among them one
  // whose Subject is raw Latin-1, which the JSON report must still carry.
  auto report = servers.dir() + "/verify.json";
  auto from_env = run_mailferry(with_args(args, {"--json", report}),
                                {"MAILFERRY_FROM_PASSWORD=alice-secret", "MAILFERRY_TO_PASSWORD=alice-secret"});
  INFO(from_env.out << from_env.err);
  CHECK(from_env.exit_code == 1);
  auto v = read_json(report);
  bool saw_latin1 = false;
  for (const auto& f : v["folders"])
    for (const auto& d : f["differences"]) {
      CHECK(d["kind"] == "missing");
      if (d["message_id"] == "<latin1@example.fr>") saw_latin1 = d["subject"] == "Caf\xef\xbf\xbd \xef\xbf\xbd 5";
    }
  CHECK(saw_latin1);
}

TEST_CASE("verify_names_missing_changed_and_altered_messages", "[integration][target][verify]") {
  TwoServers servers(20);
  auto run = run_mailferry(servers.migrate_args());
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);

  // Damage the target: expunge INBOX UID 1, flag UID 2, replace UID 3 by an altered copy.
  std::string altered_id;
  auto damaged = with_client(servers.target(), "alice", [&](imapclient::Client& c) -> net::Task<Result<void>> {
    MF_CO_CHECK(co_await c.select("INBOX", false));
    std::string original;
    MF_CO_CHECK(co_await c.uid_fetch(imap::SequenceSet::range(3, 3), "(BODY.PEEK[])", [&](imap::FetchData& f) -> Result<void> {
      original = f.section("BODY[]")->data.text;
      return {};
    }));
    std::string altered = original;
    altered.insert(altered.find("\r\n\r\n") + 4, "ALTERED ");
    std::vector<imapclient::AppendRequest> requests(1);
    requests[0].message = altered;
    auto appended = co_await c.append("INBOX", requests);
    if (!appended) co_return appended.error();
    auto store = c.new_command("UID STORE");
    store.raw("1,3").raw("+FLAGS.SILENT").raw("(\\Deleted)");
    MF_CO_CHECK(co_await c.run(std::move(store)));
    auto flag = c.new_command("UID STORE");
    flag.raw("2").raw("+FLAGS.SILENT").raw("(\\Flagged)");
    MF_CO_CHECK(co_await c.run(std::move(flag)));
    MF_CO_CHECK(co_await c.run(c.new_command("EXPUNGE")));
    co_return Result<void>{};
  });
  REQUIRE(damaged);

  auto report = servers.dir() + "/verify.json";
  auto verify = run_mailferry(with_args(servers.verify_args(), {"--json", report}));
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 1);
  CHECK(verify.out.find("DIFFERENCES") != std::string::npos);
  auto v = read_json(report);
  CHECK(v["identical"] == false);
  std::map<std::string, std::vector<json>> by_kind;
  for (const auto& f : v["folders"])
    for (const auto& d : f["differences"]) {
      CHECK(f["source"] == "INBOX");
      by_kind[d["kind"]].push_back(d);
    }
  REQUIRE(by_kind["missing"].size() == 1);
  CHECK(by_kind["missing"][0]["source_uid"] == 1);
  CHECK_FALSE(by_kind["missing"][0]["message_id"].get<std::string>().empty());
  REQUIRE(by_kind["flags-differ"].size() == 1);
  CHECK(by_kind["flags-differ"][0]["source_uid"] == 2);
  CHECK(by_kind["flags-differ"][0]["detail"].get<std::string>().find("\\Flagged") != std::string::npos);
  REQUIRE(by_kind["content-differs"].size() == 1);
  CHECK(by_kind["content-differs"][0]["source_uid"] == 3);
  CHECK(by_kind.size() == 3);
}

TEST_CASE("wrong_password_fails_clearly_and_records_nothing", "[integration][target][errors]") {
  TwoServers servers(5);
  REQUIRE(write_file_atomically(servers.dir() + "/wrong", "not-the-password\n").has_value());
  auto args = servers.migrate_args();
  auto it = std::find(args.begin(), args.end(), "--to-password-file");
  *(it + 1) = servers.dir() + "/wrong";
  auto run = run_mailferry(args);
  CHECK(run.exit_code == 3);
  CHECK(run.out.find("target") != std::string::npos);
  CHECK(run.out.find("login as alice failed") != std::string::npos);
  CHECK(state_number(servers.state_path(), "SELECT COUNT(*) FROM messages") == 0);
  CHECK(messages_on(servers.target()) == 0);
}

TEST_CASE("unreachable_host_is_a_clear_error", "[integration][target][errors]") {
  TwoServers servers(1);
  auto args = servers.migrate_args();
  auto it = std::find(args.begin(), args.end(), "--from");
  *(it + 1) = "imap://alice@127.0.0.1:" + std::to_string(free_port());
  auto run = run_mailferry(with_args(args, {"--retries", "2", "--retry-wait", "0.01"}));
  CHECK(run.exit_code == 4);
  CHECK(run.out.find("cannot connect") != std::string::npos);
  CHECK(run.out.find("source") != std::string::npos);
  CHECK(run.err.find("retry 2 of 2") != std::string::npos);  // a server that is down may come back
}

TEST_CASE("server_closing_mid_fetch_leaves_a_consistent_state_and_a_rerun_completes", "[integration][target][errors]") {
  TwoServers servers(60);
  {
    MisbehavingProxy proxy(servers.source().imap_port(), {400 * 1000});  // cut well inside the bodies
    auto args = servers.migrate_args();
    auto it = std::find(args.begin(), args.end(), "--from");
    *(it + 1) = "imap://alice@127.0.0.1:" + std::to_string(proxy.port());
    args.insert(args.end(), {"--batch-mb", "1", "--retries", "0", "--connections", "1"});
    auto run = run_mailferry(args);
    INFO(run.out << run.err);
    CHECK(run.exit_code == 4);
    CHECK(run.out.find("connection closed by the server") != std::string::npos);
    CHECK(run.out.find("source 127.0.0.1:") != std::string::npos);  // which server closed it
    CHECK(proxy.cuts() == 1);
  }
  // Every recorded message is on the target, nothing more and nothing less.
  auto recorded = state_number(servers.state_path(), "SELECT COUNT(*) FROM messages");
  CHECK(recorded > 0);
  CHECK(recorded < static_cast<std::int64_t>(servers.filled().messages));
  CHECK(static_cast<std::int64_t>(messages_on(servers.target())) == recorded);

  auto rerun = run_mailferry(servers.migrate_args());
  INFO(rerun.out << rerun.err);
  REQUIRE(rerun.exit_code == 0);
  auto verify = run_mailferry(servers.verify_args());
  INFO(verify.out);
  CHECK(verify.exit_code == 0);
}

TEST_CASE("connections_cut_again_and_again_are_resumed_by_reconnecting", "[integration][target][errors]") {
  TwoServers servers(60);
  MisbehavingProxy proxy(servers.source().imap_port(), {1500 * 1000});  // every connection dies after 1.5 MB
  auto args = servers.migrate_args();
  auto it = std::find(args.begin(), args.end(), "--from");
  *(it + 1) = "imap://alice@127.0.0.1:" + std::to_string(proxy.port());
  auto report = servers.dir() + "/migrate.json";
  // One connection pair: each connection then gets through a batch before its cut.
  args.insert(args.end(),
              {"--batch-mb", "1", "--retries", "30", "--retry-wait", "0.05", "--connections", "1", "--json", report});
  auto run = run_mailferry(args);
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(proxy.cuts() >= 2);
  auto j = read_json(report);
  CHECK(j["retries"] == proxy.cuts());
  CHECK(j["copied"] == servers.filled().messages);
  CHECK(messages_on(servers.target()) == servers.filled().messages);
  auto verify = run_mailferry(servers.verify_args());
  INFO(verify.out);
  CHECK(verify.exit_code == 0);
}

TEST_CASE("subscriptions_follow_the_folders", "[integration]") {
  TwoServers servers(2);
  auto subscribed = with_client(servers.source(), "alice", [&](imapclient::Client& c) -> net::Task<Result<void>> {
    MF_CO_CHECK(co_await c.subscribe("Archive/2002"));
    MF_CO_CHECK(co_await c.subscribe("Entw&APw-rfe"));
    co_return Result<void>{};
  });
  REQUIRE(subscribed);
  auto run = run_mailferry(servers.migrate_args());
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  std::vector<std::string> on_target;
  auto listed = with_client(servers.target(), "alice", [&](imapclient::Client& c) -> net::Task<Result<void>> {
    MF_CO_TRY(subs, co_await c.subscriptions());
    on_target = subs;
    co_return Result<void>{};
  });
  REQUIRE(listed);
  CHECK(std::count(on_target.begin(), on_target.end(), "Archive.2002") == 1);
  CHECK(std::count(on_target.begin(), on_target.end(), "Entw&APw-rfe") == 1);
}

TEST_CASE("full_corpus_arrives_and_verify_names_the_dovecot_line_ending_quirk", "[integration][corpus]") {
  TwoServers servers(100000);
  REQUIRE(servers.filled().messages == 6046 + 7);
  auto run = run_mailferry(servers.migrate_args());
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);

  // Dovecot stores "CR CR LF" as "CR LF" on APPEND (shared/PEERS.md): one
  // corpus message cannot arrive byte-identical, and verify must say which.
  auto report = servers.dir() + "/verify.json";
  auto verify = run_mailferry(with_args(servers.verify_args(), {"--json", report}));
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 1);
  auto v = read_json(report);
  std::vector<json> differences;
  std::size_t matched = 0;
  for (const auto& f : v["folders"]) {
    matched += f["matched"].get<std::size_t>();
    for (const auto& d : f["differences"]) differences.push_back(d);
  }
  REQUIRE(differences.size() == 1);
  CHECK(differences[0]["kind"] == "line-endings-differ");
  CHECK(differences[0]["message_id"].get<std::string>().find("3b62c5423c63bfdd@andira.wanadoo.fr") != std::string::npos);
  CHECK(matched == servers.filled().messages - 1);

  auto tolerant = run_mailferry(with_args(servers.verify_args(), {"--ignore-line-endings"}));
  INFO(tolerant.out);
  CHECK(tolerant.exit_code == 0);
  CHECK(tolerant.out.find("line-endings-differ") != std::string::npos);  // still listed
}

TEST_CASE("incremental_pass_copies_new_mail_and_carries_changed_flags", "[integration][target][incremental]") {
  TwoServers servers(20);
  auto report = servers.dir() + "/migrate.json";
  auto first = run_mailferry(with_args(servers.migrate_args(), {"--json", report}));
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 0);

  // Users keep working on the old server: they read, flag and tag mail, and new mail arrives.
  auto changed = with_client(servers.source(), "alice", [&](imapclient::Client& c) -> net::Task<Result<void>> {
    MF_CO_CHECK(co_await c.select("INBOX", false));
    auto flag = c.new_command("UID STORE");
    flag.raw("1:2").raw("+FLAGS.SILENT").raw("(\\Flagged $Label2)");
    MF_CO_CHECK(co_await c.run(std::move(flag)));
    auto unseen = c.new_command("UID STORE");
    unseen.raw("3").raw("FLAGS.SILENT").raw("()");
    MF_CO_CHECK(co_await c.run(std::move(unseen)));
    std::string fresh = "From: new@example.org\r\nSubject: arrived after the first pass\r\n"
                        "Message-ID: <fresh@example.org>\r\n\r\nhello\r\n";
    std::vector<imapclient::AppendRequest> requests(1);
    requests[0].message = fresh;
    requests[0].flags = {"\\Seen"};
    auto appended = co_await c.append("Junk/Old", requests);
    if (!appended) co_return appended.error();
    co_return Result<void>{};
  });
  REQUIRE(changed);

  auto j = run_json(servers.migrate_args(), report);
  CHECK(j["copied"] == 1);
  for (const auto& f : j["folders"])
    CHECK(f["unchanged"] == (f["source"] != "INBOX" && f["source"] != "Junk/Old"));
  std::size_t updated = 0;
  for (const auto& f : j["folders"]) updated += f["flags_updated"].get<std::size_t>();
  CHECK(updated == 3);
  auto verify = run_mailferry(servers.verify_args());
  INFO(verify.out);
  CHECK(verify.exit_code == 0);

  auto j3 = run_json(servers.migrate_args(), report);
  CHECK(j3["copied"] == 0);
  for (const auto& f : j3["folders"]) {
    CHECK(f["flags_updated"] == 0);
    CHECK(f["unchanged"] == true);  // CONDSTORE: one STATUS per folder, no FETCH
  }
}

TEST_CASE("delete_propagates_source_expunges_only_when_asked", "[integration][target][incremental]") {
  TwoServers servers(10);
  auto first = run_mailferry(servers.migrate_args());
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 0);

  auto store = [](imapclient::Client& c, std::string uids, std::string change) -> net::Task<Result<void>> {
    auto command = c.new_command("UID STORE");
    command.raw(uids).raw(change).raw("(\\Deleted)");
    MF_CO_CHECK(co_await c.run(std::move(command)));
    co_return Result<void>{};
  };
  auto inbox_count = [&](const ImapServer& server) {
    std::uint32_t exists = 0;
    REQUIRE(with_client(server, "alice", [&](imapclient::Client& c) -> net::Task<Result<void>> {
      MF_CO_TRY(box, co_await c.select("INBOX", true));
      exists = box.exists;
      co_return Result<void>{};
    }));
    return exists;
  };
  // The user deletes two messages on the old server; someone marks another one \Deleted on the new.
  REQUIRE(with_client(servers.source(), "alice", [&](imapclient::Client& c) -> net::Task<Result<void>> {
    MF_CO_CHECK(co_await c.select("INBOX", false));
    MF_CO_CHECK(co_await store(c, "1:2", "+FLAGS.SILENT"));
    MF_CO_CHECK(co_await c.run(c.new_command("EXPUNGE")));
    co_return Result<void>{};
  }));
  REQUIRE(with_client(servers.target(), "alice", [&](imapclient::Client& c) -> net::Task<Result<void>> {
    MF_CO_CHECK(co_await c.select("INBOX", false));
    MF_CO_CHECK(co_await store(c, "5", "+FLAGS.SILENT"));
    co_return Result<void>{};
  }));

  auto report = servers.dir() + "/migrate.json";
  auto kept = run_mailferry(with_args(servers.migrate_args(), {"--json", report}));
  REQUIRE(kept.exit_code == 0);
  auto j = read_json(report);
  CHECK(j["folders"][0]["source"] == "INBOX");
  CHECK(j["folders"][0]["deleted_at_source"] == 2);
  CHECK(j["folders"][0]["deleted"] == 0);
  CHECK(inbox_count(servers.target()) == 10);

  auto deleted = run_mailferry(with_args(servers.migrate_args(), {"--delete", "--json", report}));
  INFO(deleted.out << deleted.err);
  REQUIRE(deleted.exit_code == 0);
  CHECK(read_json(report)["folders"][0]["deleted"] == 2);
  CHECK(inbox_count(servers.target()) == 8);  // the other \Deleted message is still there

  REQUIRE(with_client(servers.target(), "alice", [&](imapclient::Client& c) -> net::Task<Result<void>> {
    MF_CO_CHECK(co_await c.select("INBOX", false));
    MF_CO_CHECK(co_await store(c, "5", "-FLAGS.SILENT"));
    co_return Result<void>{};
  }));
  auto verify = run_mailferry(servers.verify_args());
  INFO(verify.out);
  CHECK(verify.exit_code == 0);
}

TEST_CASE("a_renumbered_source_folder_is_matched_again_by_hash_not_copied_again", "[integration][target][incremental]") {
  TwoServers servers(15);
  auto first = run_mailferry(servers.migrate_args());
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 0);

  // Losing Dovecot's UID list and index renumbers INBOX under a new UIDVALIDITY.
  std::uint32_t before = 0, after = 0;
  REQUIRE(with_client(servers.source(), "alice", [&](imapclient::Client& c) -> net::Task<Result<void>> {
    MF_CO_TRY(box, co_await c.select("INBOX", true));
    before = box.uidvalidity;
    co_return Result<void>{};
  }));
  namespace fs = std::filesystem;
  for (const auto& entry : fs::directory_iterator(servers.source().maildir("alice")))
    if (entry.path().filename().string().rfind("dovecot", 0) == 0 && fs::is_regular_file(entry.path()))
      fs::remove(entry.path());
  std::string fresh = "From: later@example.org\r\nSubject: after the restore\r\nMessage-ID: <later@example.org>\r\n\r\nx\r\n";
  REQUIRE(with_client(servers.source(), "alice", [&](imapclient::Client& c) -> net::Task<Result<void>> {
    std::vector<imapclient::AppendRequest> requests(1);
    requests[0].message = fresh;
    auto appended = co_await c.append("INBOX", requests);
    if (!appended) co_return appended.error();
    MF_CO_TRY(box, co_await c.select("INBOX", true));
    after = box.uidvalidity;
    co_return Result<void>{};
  }));
  REQUIRE(after != before);

  auto report = servers.dir() + "/migrate.json";
  auto j = run_json(servers.migrate_args(), report);
  CHECK(j["copied"] == 1);
  CHECK(j["folders"][0]["source"] == "INBOX");
  CHECK(j["folders"][0]["rematched"] == 15);
  CHECK(messages_on(servers.target()) == servers.filled().messages + 1);
  auto verify = run_mailferry(servers.verify_args());
  INFO(verify.out);
  CHECK(verify.exit_code == 0);
}

TEST_CASE("rate_limits_slow_the_copy_down", "[integration][target][throttle]") {
  TwoServers servers(8);
  REQUIRE(servers.filled().messages == 47);
  auto report = servers.dir() + "/migrate.json";
  auto run = run_mailferry(with_args(servers.migrate_args(), {"--max-messages-per-second", "20", "--json", report}));
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  auto j = read_json(report);
  CHECK(j["copied"] == 47);
  CHECK(j["seconds"].get<double>() >= 1.8);  // 47 messages at 20 a second: the last batch starts after 2.3 s
  auto verify = run_mailferry(servers.verify_args());
  CHECK(verify.exit_code == 0);
}

TEST_CASE("an_admin_migrates_a_users_mailbox_on_their_behalf", "[integration][target][auth]") {
  DovecotOptions source{{}, '/'};
  source.master_users = {{"admin", "admin-secret"}};
  TwoServers servers(source, DovecotOptions{{}, '.'});
  REQUIRE(fill_standard_mailbox(servers.source(), "alice", 5));
  REQUIRE(write_file_atomically(servers.dir() + "/admin-password", "admin-secret\n"));
  auto as_admin = [&](std::vector<std::string> args) {
    auto it = std::find(args.begin(), args.end(), "--from-password-file");
    *(it + 1) = servers.dir() + "/admin-password";
    args.insert(args.end(), {"--from-admin", "admin"});
    return args;
  };
  auto run = run_mailferry(as_admin(servers.migrate_args()));
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("32 messages") != std::string::npos);
  auto verify = run_mailferry(as_admin(servers.verify_args()));
  CHECK(verify.exit_code == 0);

  // The user's own password is not the admin's.
  auto wrong = servers.verify_args();
  wrong.insert(wrong.end(), {"--from-admin", "admin"});
  auto refused = run_mailferry(wrong);
  CHECK(refused.exit_code == 3);
  CHECK(refused.err.find("login as admin on behalf of alice failed") != std::string::npos);
}

TEST_CASE("compress_deflate_shrinks_what_crosses_the_wire_and_changes_no_byte", "[integration][target][compress]") {
  DovecotOptions source{{}, '/'};
  source.compress = true;
  DovecotOptions target{{}, '.'};
  target.compress = true;
  TwoServers servers(source, target);
  auto filled = fill_standard_mailbox(servers.source(), "alice", 60);
  REQUIRE(filled);
  bool compress = GENERATE(true, false);
  MisbehavingProxy proxy(servers.source().imap_port(), {std::uint64_t(1) << 40});  // counts, never cuts
  auto args = servers.migrate_args();
  auto it = std::find(args.begin(), args.end(), "--from");
  *(it + 1) = "imap://alice@127.0.0.1:" + std::to_string(proxy.port());
  auto report = servers.dir() + "/migrate.json";
  // "auto" would not compress on 127.0.0.1: say it.
  auto run = run_mailferry(with_args(args, {"--compress", compress ? "yes" : "no", "--json", report}));
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  std::uint64_t bytes = read_json(report)["bytes"];
  if (compress)
    CHECK(proxy.relayed() < bytes * 6 / 10);
  else
    CHECK(proxy.relayed() > bytes);
  auto verify = run_mailferry(with_args(servers.verify_args(), {"--compress", "yes"}));
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
}
