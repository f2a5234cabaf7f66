// Folder selection and naming: special-use roles, --include/--exclude, --map, --dry-run.
#include "tests/integration/harness.h"

#include <nlohmann/json.hpp>

#include <filesystem>

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::test;
using nlohmann::json;

namespace {

// Writes count corpus messages (from offset on) into the source folder.
void put_messages(TwoServers& servers, const std::vector<std::string>& levels, std::size_t offset, std::size_t count) {
  auto corpus = load_corpus_group("easy-ham-2", offset + count);
  REQUIRE(corpus);
  std::vector<MaildirMessage> messages;
  for (std::size_t i = offset; i < offset + count; ++i)
    messages.push_back(MaildirMessage{(*corpus)[i], {"\\Seen"}, static_cast<std::time_t>(1030000000 + i)});
  REQUIRE(write_maildir_folder(servers.source().maildir("alice"), levels, messages));
  servers.source().fix_ownership();
}

std::map<std::string, json> folders_by_source(const json& report) {
  std::map<std::string, json> out;
  for (const auto& f : report["folders"]) out[f["source"]] = f;
  return out;
}

}  // namespace

TEST_CASE("special_use_folders_land_in_the_targets_german_folders", "[integration][folders]") {
  DovecotOptions source{{}, '/'};
  source.mailboxes = {{"Sent", "\\Sent"}, {"Trash", "\\Trash"}, {"Drafts", "\\Drafts"}};
  DovecotOptions target{{}, '.'};
  target.mailboxes = {{"Gesendete Objekte", "\\Sent"}, {"Gel\xc3\xb6schte Elemente", "\\Trash"}, {"Entw\xc3\xbcrfe", "\\Drafts"}};
  TwoServers servers(source, target);
  put_messages(servers, {}, 0, 3);
  put_messages(servers, {"Sent"}, 3, 5);
  put_messages(servers, {"Sent", "2019"}, 8, 2);
  put_messages(servers, {"Trash"}, 10, 4);
  put_messages(servers, {"Drafts"}, 14, 1);

  auto plan = run_mailferry(with_args(servers.migrate_args(), {"--dry-run"}));
  INFO(plan.out << plan.err);
  REQUIRE(plan.exit_code == 0);
  CHECK(plan.out.find("Gesendete Objekte/2019") != std::string::npos);
  CHECK(plan.out.find("15 messages") != std::string::npos);

  auto report = servers.dir() + "/migrate.json";
  auto run_report = run_json(servers.migrate_args(), report);
  auto folders = folders_by_source(run_report);
  CHECK(folders["Sent"]["target"] == "Gesendete Objekte");
  CHECK(folders["Sent"]["copied"] == 5);
  CHECK(folders["Sent"]["created"] == false);
  CHECK(folders["Sent/2019"]["target"] == "Gesendete Objekte/2019");
  CHECK(folders["Trash"]["target"] == "Gel\xc3\xb6schte Elemente");
  CHECK(folders["Drafts"]["target"] == "Entw\xc3\xbcrfe");

  auto verify = run_mailferry(servers.verify_args());
  INFO(verify.out);
  CHECK(verify.exit_code == 0);
  // Without the role mapping, the English names are not on the target.
  auto literal = run_mailferry(with_args(servers.verify_args(), {"--no-special-use-mapping"}));
  CHECK(literal.exit_code == 1);
  CHECK(literal.out.find("no such folder on the target") != std::string::npos);
}

TEST_CASE("include_exclude_and_map_choose_and_rename_folders", "[integration][target][folders]") {
  TwoServers servers(5);
  std::vector<std::string> rules = {"--exclude", "^Junk", "--map", "^Archive=Altes Archiv"};
  auto report = servers.dir() + "/migrate.json";
  auto args = servers.migrate_args();
  args.insert(args.end(), rules.begin(), rules.end());
  auto dry = run_mailferry(with_args(args, {"--dry-run"}));
  INFO(dry.out << dry.err);
  REQUIRE(dry.exit_code == 0);
  CHECK(dry.out.find("Altes Archiv/2002") != std::string::npos);
  CHECK(dry.out.find("Junk") == std::string::npos);

  auto real_report = run_json(args, report);
  auto folders = folders_by_source(real_report);
  CHECK(folders.count("Junk") == 0);
  CHECK(folders.count("Junk/Old") == 0);
  CHECK(folders["Archive/2002"]["target"] == "Altes Archiv/2002");
  CHECK(folders["INBOX"]["target"] == "INBOX");

  auto verify_args = servers.verify_args();
  verify_args.insert(verify_args.end(), rules.begin(), rules.end());
  auto verify = run_mailferry(verify_args);
  INFO(verify.out);
  CHECK(verify.exit_code == 0);
  CHECK(verify.out.find("Altes Archiv/2002") != std::string::npos);
}

TEST_CASE("a personal namespace prefix INBOX. is taken off and put on", "[integration][folders]") {
  // Courier and Cyrus keep every folder under "INBOX."; most others at the top.
  bool source_has_prefix = GENERATE(true, false);
  DovecotOptions source{{}, source_has_prefix ? '.' : '/'};
  DovecotOptions target{{}, source_has_prefix ? '/' : '.'};
  (source_has_prefix ? source : target).prefix = "INBOX.";
  (source_has_prefix ? source : target).mailboxes = {{"Sent", "\\Sent"}};
  TwoServers servers(source, target);
  auto filled = fill_standard_mailbox(servers.source(), "alice", 3);
  REQUIRE(filled);
  put_messages(servers, {"Sent"}, 0, 2);

  auto report = servers.dir() + "/migrate.json";
  auto run_report = run_json(servers.migrate_args(), report);
  auto folders = folders_by_source(run_report);
  if (source_has_prefix) {
    CHECK(folders["INBOX"]["target"] == "INBOX");
    CHECK(folders["INBOX/Archive/2002"]["target"] == "Archive/2002");
    CHECK(folders["INBOX/Sent"]["target"] == "Sent");
  } else {
    CHECK(folders["INBOX"]["target"] == "INBOX");
    CHECK(folders["Archive/2002"]["target"] == "INBOX/Archive/2002");
    CHECK(folders["Sent"]["target"] == "INBOX/Sent");
    CHECK(folders["Sent"]["created"] == false);  // the target's \Sent
  }
  CHECK(messages_on(servers.target()) == filled->messages + 2);
  auto verify = run_mailferry(servers.verify_args());
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
}

TEST_CASE("a_map_on_top_of_the_special_use_mapping_maps_every_pass_alike", "[integration][target][folders]") {
  // The first pass puts Spam (the Junk role by name) at INBOX/Spam by --map; on
  // the next pass that folder holds the target's Junk role, and the map was
  // applied again on top: INBOX/INBOX/Spam, an empty folder, 2 "missing".
  TwoServers servers(DovecotOptions{{}, '/'}, DovecotOptions{{}, '/'});
  put_messages(servers, {"Spam"}, 0, 2);
  auto with_rules = [](std::vector<std::string> args) {
    return with_args(std::move(args), {"--include", "^Spam$", "--map", "^(?!INBOX$)(.+)$=INBOX/$1"});
  };
  auto migrate = with_rules(servers.migrate_args());
  auto report = servers.dir() + "/migrate.json";

  auto first_report = run_json(migrate, report);
  CHECK(folders_by_source(first_report)["Spam"]["target"] == "INBOX/Spam");

  put_messages(servers, {"Spam"}, 2, 1);  // new mail between the passes
  auto second = run_mailferry(with_args(migrate, {"--json", report}));
  INFO(second.out << second.err);
  REQUIRE(second.exit_code == 0);
  auto folders = folders_by_source(json::parse(read_text(report)));
  CHECK(folders["Spam"]["target"] == "INBOX/Spam");
  CHECK(folders["Spam"]["created"] == false);
  CHECK(folders["Spam"]["copied"] == 1);
  CHECK(second.out.find("INBOX/INBOX") == std::string::npos);
  CHECK(messages_on(servers.target()) == 3);

  // With the migration's state file verify compares where it put each folder;
  // without one, the rules alone give the same mapping.
  auto state_size = std::filesystem::file_size(servers.state_path());
  auto verify = run_mailferry(with_args(with_rules(servers.verify_args()), {"--state", servers.state_path()}));
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
  CHECK(std::filesystem::file_size(servers.state_path()) == state_size);
  auto stateless = run_mailferry(with_rules(servers.verify_args()));
  INFO(stateless.out << stateless.err);
  CHECK(stateless.exit_code == 0);
}
