#include "migrate/folder_rules.h"

#include "tests/result_printer.h"

using namespace mf::migrate;
using Levels = std::vector<std::string>;

TEST_CASE("well-known folder names have roles in several languages", "[migrate][folders]") {
  CHECK(role_of_name("Sent Items") == "\\Sent");
  CHECK(role_of_name("gesendete objekte") == "\\Sent");
  CHECK(role_of_name("Gel\xc3\xb6schte Elemente") == "\\Trash");
  CHECK(role_of_name("Entw\xc3\xbcrfe") == "\\Drafts");
  CHECK(role_of_name("Junk-E-Mail") == "\\Junk");
  CHECK(role_of_name("Projects").empty());
}

TEST_CASE("attributes win over names, and only top levels or INBOX children hold roles", "[migrate][folders]") {
  auto roles = find_role_folders({{"Sent"}, {"Mes envois"}, {"INBOX", "Trash"}, {"Work", "Drafts"}},
                                 {"", "\\Sent", "", ""});
  CHECK(roles["\\Sent"] == Levels{"Mes envois"});
  CHECK(roles["\\Trash"] == Levels{"INBOX", "Trash"});
  CHECK(roles.count("\\Drafts") == 0);
}

TEST_CASE("rules include, exclude, move role folders with their children, and rename", "[migrate][folders]") {
  RoleFolders source_roles = {{"\\Sent", {"Sent Items"}}, {"\\Trash", {"Trash"}}};
  RoleFolders target_roles = {{"\\Sent", {"INBOX", "Gesendet"}}};
  auto rules = make_folder_rules({}, {"^Spam"}, {"^Projects/(.*)$=Archiv/$1"}, true);
  REQUIRE(rules);
  CHECK(*apply_folder_rules(*rules, {"Sent Items", "2019"}, source_roles, target_roles) ==
        Levels{"INBOX", "Gesendet", "2019"});
  CHECK(*apply_folder_rules(*rules, {"Trash"}, source_roles, target_roles) == Levels{"Trash"});  // no target role
  CHECK_FALSE(apply_folder_rules(*rules, {"Spam", "old"}, source_roles, target_roles));
  CHECK(*apply_folder_rules(*rules, {"Projects", "2020"}, source_roles, target_roles) == Levels{"Archiv", "2020"});
  CHECK(*apply_folder_rules(*rules, {"inbox"}, source_roles, target_roles) == Levels{"INBOX"});

  auto only = make_folder_rules({"^INBOX$", "^Work"}, {}, {}, false);
  REQUIRE(only);
  CHECK(apply_folder_rules(*only, {"INBOX"}, source_roles, target_roles));
  CHECK(apply_folder_rules(*only, {"Work", "a"}, source_roles, target_roles));
  CHECK_FALSE(apply_folder_rules(*only, {"Other"}, source_roles, target_roles));
  CHECK_FALSE(apply_folder_rules(*only, {"Sent Items"}, source_roles, target_roles));
  // Without the role mapping a role folder keeps its name.
  auto literal = make_folder_rules({}, {}, {}, false);
  CHECK(*apply_folder_rules(*literal, {"Sent Items"}, source_roles, target_roles) == Levels{"Sent Items"});
}

TEST_CASE("bad rules are usage errors", "[migrate][folders]") {
  CHECK(make_folder_rules({"("}, {}, {}, true).error().code == mf::Errc::Usage);
  CHECK(make_folder_rules({}, {}, {"no-equals-sign"}, true).error().code == mf::Errc::Usage);
}
