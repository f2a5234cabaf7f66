// manifest.csv made from manifest.json: what a hostile sender puts in a
// header reaches an auditor's spreadsheet as text, one row per placement.
#include "compliance/manifest.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "tests/result_printer.h"

using nlohmann::json;

namespace {

json manifest_with(const std::string& subject, json placements) {
  json m = {{"number", 7},        {"sha256", std::string(64, 'a')}, {"size", 10},     {"file", "messages/x.eml"},
            {"date", ""},         {"from", "Mallory <m@example.org>"}, {"to", ""},     {"subject", subject},
            {"message_id", "id"}, {"retain_until", ""},              {"holds", json::array({"Z1", "Z2"})},
            {"placements", std::move(placements)}};
  return {{"messages", json::array({m})}};
}

std::string second_row(const std::string& csv) {
  auto first = csv.find("\r\n");
  return csv.substr(first + 2, csv.find("\r\n", first + 2) - first - 2);
}

}  // namespace

TEST_CASE("a_subject_a_spreadsheet_would_run_as_a_formula_stays_text", "[compliance]") {
  for (std::string subject : {"=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)"}) {
    std::string row = second_row(mf::compliance::manifest_csv(manifest_with(subject, json::array())));
    INFO(row);
    std::string quoted;
    for (char c : subject) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    CHECK(row.find(";\"'" + quoted + "\";") != std::string::npos);
  }
  std::string plain = second_row(mf::compliance::manifest_csv(manifest_with("Rechnung = 5", json::array())));
  CHECK(plain.find(";\"Rechnung = 5\";") != std::string::npos);
}

TEST_CASE("line_breaks_and_quotes_in_a_header_cannot_add_a_row_or_a_field", "[compliance]") {
  std::string csv = mf::compliance::manifest_csv(manifest_with("a\r\nb\";\"c", json::array()));
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 2);  // the header row and one row
  CHECK(second_row(csv).find(";\"a  b\"\";\"\"c\";") != std::string::npos);
}

TEST_CASE("a_message_archived_from_two_folders_has_a_row_for_each", "[compliance]") {
  json placements = json::array({{{"account", "alice"}, {"folder", "INBOX"}}, {{"account", "bob"}, {"folder", "Sent"}}});
  std::string csv = mf::compliance::manifest_csv(manifest_with("s", placements));
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 3);
  CHECK(csv.find("7;1;") != std::string::npos);
  CHECK(csv.find("7;2;") != std::string::npos);
  CHECK(csv.find("\"Z1|Z2\"") != std::string::npos);
}
