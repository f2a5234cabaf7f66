// Globs, retention classes and rules, and legal-hold queries.
#include "archive/glob.h"
#include "archive/hold.h"
#include "archive/policy.h"

#include "tests/result_printer.h"

using namespace mf::archive;
using mf::mime::Headers;


TEST_CASE("globs match whole names without regard to case", "[archive]") {
  CHECK(glob_match("Rechnungen/*", "rechnungen/2024/Q1"));
  CHECK(glob_match("*@example.org", "alice@EXAMPLE.org"));
  CHECK(glob_match("a?c", "abc"));
  CHECK_FALSE(glob_match("a?c", "ac"));
  CHECK_FALSE(glob_match("INBOX", "INBOX/Sub"));
  CHECK(glob_match("*", ""));
  CHECK(glob_match("*a*b*", "xxaxxbxx"));
}

TEST_CASE("retention counts from the end of the later of Date: and INTERNALDATE", "[archive]") {
  // 2002-08-20 -> the end of 2002 plus 6 years: 2009-01-01 00:00 UTC.
  CHECK(end_of_year_plus(1029861126, 6) == 1230768000);
  CHECK(end_of_year_plus(1230768000 - 1, 1) == 1262304000);  // 2008-12-31 23:59:59 -> 2010-01-01
  CHECK(retention_basis(100, 200, 300) == 200);
  CHECK(retention_basis(0, 0, 300) == 300);  // neither known: the time of archiving
  CHECK(retention_basis(-5, 0, 300) == 300);
}

TEST_CASE("a policy gives the first matching rule's class and only ever lengthens", "[archive]") {
  auto policy = Policy::parse(R"({"classes": {"default": 6, "booking": 8, "books": 10},
      "rules": [{"class": "books", "account": "buchhaltung@*"},
                {"class": "booking", "from_domain": "datev.de"},
                {"class": "booking", "to_domain": "finanzamt.example", "folder": "Sent*"},
                {"class": "books", "header": "X-Document-Type: invoice*"}]})");
  REQUIRE(policy.has_value());
  Headers from_datev("From: Steuer <noreply@mail.DATEV.de>\r\nTo: a@b.example\r\n\r\n");
  Headers to_office("From: a@b.example\r\nCc: amt@finanzamt.example\r\nX-Document-Type: Invoice 2024\r\n\r\n");
  Headers plain("From: a@b.example\r\n\r\n");
  std::string account = "alice@example.org", booking_account = "buchhaltung@example.org";
  std::string inbox = "INBOX", sent = "Sent/2024";
  std::int64_t in_2024 = 1718000000;  // 2024-06-10
  CHECK(policy->retention({booking_account, inbox, plain}, in_2024).class_name == "books");
  CHECK(policy->retention({account, inbox, from_datev}, in_2024).class_name == "booking");
  CHECK(policy->retention({account, inbox, from_datev}, in_2024).until == end_of_year_plus(in_2024, 8));
  CHECK(policy->retention({account, sent, to_office}, in_2024).class_name == "booking");  // the first match wins
  CHECK(policy->retention({account, inbox, to_office}, in_2024).class_name == "books");   // by header
  CHECK(policy->retention({account, inbox, plain}, in_2024).class_name == "default");
  CHECK(policy->retention({account, inbox, plain}, in_2024).until == end_of_year_plus(in_2024, 6));

  CHECK(Policy::standard().shortens(*policy).empty());
  CHECK(policy->shortens(Policy::standard()) == "class \"booking\" would be removed");
  auto shorter = Policy::parse(R"({"classes": {"default": 6, "booking": 7, "books": 10}})");
  REQUIRE(shorter.has_value());
  CHECK(policy->shortens(*shorter) == "class \"booking\" would keep 7 years instead of 8");
}

TEST_CASE("a policy with a mistake is refused, naming it", "[archive]") {
  auto error_of = [](const char* text) {
    auto p = Policy::parse(text);
    return p ? std::string() : p.error().message;
  };
  CHECK(error_of(R"({"classes": {"long": 10}})").find("\"default\" is required") != std::string::npos);
  CHECK(error_of(R"({"classes": {"default": 0}})").find("from 1 to 100") != std::string::npos);
  CHECK(error_of(R"({"classes": {"default": 6}, "rules": [{"class": "x", "folder": "A"}]})")
            .find("rule 1: class \"x\" is not defined") != std::string::npos);
  CHECK(error_of(R"({"classes": {"default": 6}, "rules": [{"class": "default"}]})").find("no condition") !=
        std::string::npos);
  CHECK(error_of(R"({"classes": {"default": 6}, "rules": [{"class": "default", "sender": "x"}]})")
            .find("unknown field \"sender\"") != std::string::npos);
  CHECK(error_of(R"({"classes": {"default": 6}, "retention": 1})").find("unknown field \"retention\"") !=
        std::string::npos);
}

TEST_CASE("hold queries match headers and placements together", "[archive]") {
  Headers h("From: Counsel <counsel@acme.example>\r\nTo: alice@example.org\r\nSubject: Merger plan\r\n"
            "Message-ID: <m1@acme.example>\r\n\r\n");
  std::vector<std::pair<std::string, std::string>> where = {{"alice@example.org", "INBOX"},
                                                            {"bob@example.org", "Projects/ACME"}};
  auto matches = [&](const char* text) {
    auto q = HoldQuery::parse(text);
    REQUIRE(q.has_value());
    return q->matches(where, h);
  };
  CHECK(matches("from:acme.example"));
  CHECK(matches("subject:\"merger PLAN\" to:alice"));
  CHECK(matches("account:bob@example.org folder:Projects/*"));
  CHECK_FALSE(matches("account:alice@example.org folder:Projects/*"));  // one placement must match both
  CHECK_FALSE(matches("from:other.example"));
  CHECK(matches("message-id:<m1@acme.example>"));
  CHECK(HoldQuery::parse("account:x")->needs_headers() == false);
  CHECK(HoldQuery::parse("from:x")->needs_headers());
  CHECK_FALSE(HoldQuery::parse("").has_value());
  CHECK_FALSE(HoldQuery::parse("acme").has_value());
  CHECK_FALSE(HoldQuery::parse("body:x").has_value());
  CHECK_FALSE(HoldQuery::parse("subject:\"open").has_value());
  CHECK_FALSE(HoldQuery::parse("from:").has_value());
}
