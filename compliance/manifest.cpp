#include "compliance/manifest.h"

#include <nlohmann/json.hpp>

#include <array>
#include <string_view>

namespace mf::compliance {
namespace {

using json = nlohmann::json;

struct Column {
  const char* name;
  bool numeric;
  const char* description;
};

// The table's columns, in order: what manifest.csv holds and index.xml describes.
constexpr std::array<Column, 16> kColumns{{
    {"number", true, "the message's number in the archive (mailferry archive get NUMBER)"},
    {"placement", true, "1, 2, ...: the message's places (account, folder), one row each"},
    {"sha256", false, "SHA-256 of the message as archived, hex"},
    {"size", true, "bytes of the message"},
    {"file", false, "the message's file in this export"},
    {"account", false, "the mailbox account it was archived from"},
    {"folder", false, "the folder it was in"},
    {"internaldate", false, "when the server received it (IMAP INTERNALDATE), ISO 8601 UTC"},
    {"date", false, "its Date: header, ISO 8601 UTC; empty when it has none"},
    {"from", false, "From:, decoded"},
    {"to", false, "To:, decoded"},
    {"subject", false, "Subject:, decoded"},
    {"message_id", false, "Message-ID:, without angle brackets"},
    {"class", false, "the retention class of this placement"},
    {"retain_until", false, "kept at least until, ISO 8601 UTC (the largest over its placements)"},
    {"holds", false, "the legal holds (case names) that keep it, separated by '|'"},
}};

// A CSV text field: in double quotes, inner quotes doubled, control
// characters (a decoded subject may hold line breaks) as spaces, and a field
// a spreadsheet would take for a formula (= + - @ first, a sender's choice:
// "=HYPERLINK(...)") after a "'" so it stays text (OWASP's CSV injection
// advice); the JSON keeps the exact text.
std::string csv_field(std::string_view text) {
  std::string out = "\"";
  if (!text.empty() && std::string_view("=+-@").find(text.front()) != std::string_view::npos) out += '\'';
  for (char c : text) {
    if (c == '"') out += "\"\"";
    else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) out += ' ';
    else out += c;
  }
  return out + "\"";
}

std::string text_of(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump();
}

std::string xml_escaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
    }
  }
  return out;
}

}  // namespace

std::string manifest_csv(const json& manifest) {
  std::string out;
  for (std::size_t i = 0; i < kColumns.size(); ++i) out += (i ? ";" : "") + csv_field(kColumns[i].name);
  out += "\r\n";
  for (const auto& m : manifest.at("messages")) {
    std::string holds;
    for (const auto& h : m.at("holds")) holds += (holds.empty() ? "" : "|") + h.get<std::string>();
    json placements = m.at("placements");
    if (placements.empty()) placements.push_back(json::object());
    std::size_t n = 0;
    for (const auto& p : placements) {
      const std::array<std::string, 16> row{
          std::to_string(m.at("number").get<std::int64_t>()), std::to_string(++n), csv_field(text_of(m.at("sha256"))),
          std::to_string(m.at("size").get<std::int64_t>()), csv_field(text_of(m.at("file"))),
          csv_field(text_of(p.value("account", json()))), csv_field(text_of(p.value("folder", json()))),
          csv_field(text_of(p.value("internaldate", json()))), csv_field(text_of(m.at("date"))),
          csv_field(text_of(m.at("from"))), csv_field(text_of(m.at("to"))), csv_field(text_of(m.at("subject"))),
          csv_field(text_of(m.at("message_id"))), csv_field(text_of(p.value("class", json()))),
          csv_field(text_of(m.at("retain_until"))), csv_field(holds)};
      for (std::size_t i = 0; i < row.size(); ++i) out += (i ? ";" : "") + row[i];
      out += "\r\n";
    }
  }
  return out;
}

std::string manifest_index_xml(const json& manifest) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<!DOCTYPE DataSet SYSTEM \"gdpdu-01-09-2004.dtd\">\n"
      "<DataSet>\n"
      "  <Version>1.0</Version>\n"
      "  <DataSupplier>\n"
      "    <Name>mailferry</Name>\n"
      "    <Location>" + xml_escaped(text_of(manifest.at("archive"))) + "</Location>\n"
      "    <Comment>" + xml_escaped("case: " + text_of(manifest.at("case")) + "; query: " +
                                   text_of(manifest.at("query")) + "; exported " + text_of(manifest.at("created")) +
                                   " by " + text_of(manifest.at("user"))) + "</Comment>\n"
      "  </DataSupplier>\n"
      "  <Media>\n"
      "    <Name>" + xml_escaped(text_of(manifest.at("case"))) + "</Name>\n"
      "    <Table>\n"
      "      <URL>manifest.csv</URL>\n"
      "      <Name>messages</Name>\n"
      "      <Description>The archived e-mail messages of this export, one row per place (account, folder) a "
      "message was archived from; the messages themselves are the files named in column file.</Description>\n"
      "      <UTF8/>\n"
      "      <DecimalSymbol>.</DecimalSymbol>\n"
      "      <DigitGroupingSymbol>,</DigitGroupingSymbol>\n"
      "      <Range><From>2</From></Range>\n"
      "      <VariableLength>\n"
      "        <ColumnDelimiter>;</ColumnDelimiter>\n"
      "        <RecordDelimiter>&#13;&#10;</RecordDelimiter>\n"
      "        <TextEncapsulator>\"</TextEncapsulator>\n";
  for (std::size_t i = 0; i < kColumns.size(); ++i) {
    const char* element = i < 2 ? "VariablePrimaryKey" : "VariableColumn";
    out += std::string("        <") + element + "><Name>" + kColumns[i].name + "</Name><Description>" +
           xml_escaped(kColumns[i].description) + "</Description>" +
           (kColumns[i].numeric ? "<Numeric/>" : "<AlphaNumeric/>") + "</" + element + ">\n";
  }
  out +=
      "      </VariableLength>\n"
      "    </Table>\n"
      "  </Media>\n"
      "</DataSet>\n";
  return out;
}

}  // namespace mf::compliance
