// The search index over a real archive: each field, ranges, phrases,
// negation, wildcards, German plurals and umlauts, purged messages gone,
// an index made anew equal to the incremental one; the query rewriting.
#include "archive/archive.h"
#include "search/index.h"
#include "search/query.h"
#include "search/text.h"
#include "tests/support/temp_dir.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::search;

namespace {

std::string mail(const std::string& headers, const std::string& body) { return headers + "\r\n" + body; }

const std::vector<std::string>& business_mail() {
  static const std::vector<std::string> mails = {
      mail("From: Buchhaltung <buchhaltung@firma.example>\r\nTo: kunde@example.org\r\n"
           "Subject: =?UTF-8?Q?Rechnungen_f=C3=BCr_M=C3=A4rz?=\r\nMessage-ID: <r1@firma.example>\r\n"
           "Date: Mon, 6 Mar 2023 10:00:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
           "Content-Transfer-Encoding: quoted-printable\r\n",
           "Anbei die Rechnungen f=FCr M=E4rz. Bitte um =DCberweisung bis Freitag.\r\n"),
      mail("From: Vertrieb <vertrieb@firma.example>\r\nTo: kunde@example.org\r\nCc: chef@firma.example\r\n"
           "Subject: Ihre Rechnung 2024-17\r\nMessage-ID: <r2@firma.example>\r\nDate: Tue, 9 Jan 2024 09:00:00 +0100\r\n"
           "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n",
           "--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>Sehr geehrte Damen und "
           "Herren,</p><p>die K&uuml;ndigung Ihres Vertrags ist eingegangen.</p><script>var x='geheim';</script>"
           "</body></html>\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
           "filename=\"Rechnung-2024-17.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n"),
      mail("From: Alice <alice@example.org>\r\nTo: team@example.org\r\nSubject: Lunch on Friday\r\n"
           "Message-ID: <" + std::string(300, 'x') + "@long.example>\r\nDate: Fri, 1 Dec 2023 12:00:00 +0000\r\n"
           "List-Id: Team list <team.example.org>\r\n",
           "Shall we meet for lunch? The quarterly report can wait.\r\n"),
  };
  return mails;
}

struct Fixture {
  test::TempDir tmp;
  std::string dir = tmp.path + "/archive";
  std::unique_ptr<archive::Archive> archive;
  Fixture() {
    auto a = archive::Archive::open(dir, "test", true);
    REQUIRE(a);
    archive = std::move(*a);
    const auto& m = business_mail();
    REQUIRE(archive->ingest({{m[0], {"buchhaltung@firma.example", "INBOX", {"\\Seen"}, 1678093200, "test", 0}, {}},
                             {m[1], {"buchhaltung@firma.example", "Verträge", {"\\Flagged", "$Label1"}, 1704787200, "test", 0}, {}}}));
    REQUIRE(archive->ingest({{m[2], {"alice@example.org", "INBOX", {}, 1701432000, "test", 0}, {}}}));
    index();
  }
  void index() {
    auto index = Index::open_for_writing(dir, "de");
    REQUIRE(index);
    auto done = (*index)->catch_up(*archive);
    REQUIRE(done);
    CHECK(done->unreadable.empty());
  }
  std::set<std::int64_t> find(const std::string& query) {
    auto found = search::search(dir, query, Sort::Newest, 100);
    INFO(query);
    REQUIRE(found);
    std::set<std::int64_t> out;
    for (const auto& h : found->hits) out.insert(h.number);
    CHECK(found->total == out.size());
    return out;
  }
};

using Set = std::set<std::int64_t>;

}  // namespace

TEST_CASE("each field finds what it names and nothing else", "[search]") {
  Fixture f;
  CHECK(f.find("from:buchhaltung") == Set{1});
  CHECK(f.find("from:firma.example") == Set{1, 2});
  CHECK(f.find("to:team") == Set{3});
  CHECK(f.find("cc:chef") == Set{2});
  CHECK(f.find("to:chef").empty());  // unlike notmuch, to: is To: only
  CHECK(f.find("chef") == Set{2});    // as notmuch's, bare words find senders and recipients too
  CHECK(f.find("subject:lunch") == Set{3});
  CHECK(f.find("body:quarterly") == Set{3});
  CHECK(f.find("attachment:rechnung") == Set{2});
  CHECK(f.find("has:attachment") == Set{2});
  CHECK(f.find("message-id:r1@firma.example") == Set{1});
  CHECK(f.find("id:<r2@firma.example>") == Set{2});
  CHECK(f.find("id:" + std::string(300, 'x') + "@long.example") == Set{3});  // a term too long is hashed, not lost
  CHECK(f.find("folder:INBOX") == Set{1, 3});
  CHECK(f.find("folder:Verträge") == Set{2});
  CHECK(f.find("account:alice@example.org") == Set{3});
  CHECK(f.find("tag:seen") == Set{1});
  CHECK(f.find("flag:flagged") == Set{2});
  CHECK(f.find("tag:$label1") == Set{2});
  CHECK(f.find("list:team.example.org") == Set{3});
  CHECK(f.find("") == Set{1, 2, 3});
}

TEST_CASE("German words are found in every form, capitalised or not, with their umlauts", "[search]") {
  Fixture f;
  CHECK(f.find("Rechnung") == Set{1, 2});   // "Rechnungen" in 1 (subject, RFC 2047), "Rechnung" in 2
  CHECK(f.find("rechnungen") == Set{1, 2});
  CHECK(f.find("Überweisung") == Set{1});   // quoted-printable ISO-8859-1 in the body
  CHECK(f.find("märz") == Set{1});
  CHECK(f.find("Kündigung") == Set{2});      // an HTML entity in an HTML part
  CHECK(f.find("Verträge") == Set{2});      // "Vertrags" stems alike
  CHECK(f.find("geheim").empty());          // script content is no text
  CHECK(f.find("\"Rechnungen für März\"") == Set{1});  // a phrase: these forms in this order
  CHECK(f.find("\"für Rechnungen\"").empty());
}

TEST_CASE("dates, sizes, AND, OR, NOT, parentheses and wildcards", "[search]") {
  Fixture f;
  CHECK(f.find("date:2023") == Set{1, 3});
  CHECK(f.find("date:2023-03") == Set{1});
  CHECK(f.find("date:2023-12-01") == Set{3});
  CHECK(f.find("date:2023-06..2024-01") == Set{2, 3});
  CHECK(f.find("date:..2023-12") == Set{1, 3});
  CHECK(f.find("date:2024..") == Set{2});
  CHECK(f.find("date:30d..").empty());
  CHECK(f.find("size:>100K").empty());
  CHECK(f.find("size:<100K") == Set{1, 2, 3});
  CHECK(f.find("rechnung AND NOT has:attachment") == Set{1});
  CHECK(f.find("lunch OR kündigung") == Set{2, 3});
  CHECK(f.find("(lunch OR kündigung) folder:INBOX") == Set{3});
  CHECK(f.find("NOT folder:INBOX") == Set{2});
  CHECK(f.find("quart*") == Set{3});
  CHECK(f.find("-tag:seen folder:INBOX") == Set{3});
}

TEST_CASE("a purged message leaves the index, and an index made anew equals the incremental one", "[search]") {
  Fixture f;
  auto before = f.find("");
  REQUIRE(remove_index(f.dir));
  f.index();
  CHECK(f.find("") == before);
  CHECK(f.find("Rechnung") == Set{1, 2});
  // A message of 1990 is past the standard six years: purged, it leaves the index.
  std::string old_mail = mail("From: a@example.org\r\nSubject: Altlast\r\nDate: Mon, 1 Jan 1990 10:00:00 +0000\r\n",
                              "alte Rechnung\r\n");
  auto added = f.archive->ingest({{old_mail, {"alice@example.org", "INBOX", {}, 631188000, "test", 0}, {}}});
  REQUIRE(added);
  f.index();
  CHECK(f.find("altlast") == Set{(*added)[0].message});
  auto purged = f.archive->purge(false);
  REQUIRE(purged);
  CHECK(purged->messages == 1);
  auto index = Index::open_for_writing(f.dir);
  REQUIRE(index);
  auto after = (*index)->catch_up(*f.archive);
  REQUIRE(after);
  CHECK(after->removed == 1);
  CHECK(after->indexed == 0);  // nothing new: a re-run indexes only what came since
  index->reset();  // its writer's lock: a search opens the index to read
  CHECK(f.find("altlast").empty());
  CHECK(f.find("Rechnung") == Set{1, 2});
}

TEST_CASE("a compacted index answers as before and goes on from where it was", "[search]") {
  Fixture f;
  auto every = f.find("");
  auto plural = f.find("Rechnungen");
  {
    auto index = Index::open_for_writing(f.dir);
    REQUIRE(index);
    REQUIRE((*index)->compact());
  }
  CHECK_FALSE(std::filesystem::exists(f.dir + "/index.compact"));
  CHECK_FALSE(std::filesystem::exists(f.dir + "/index.old"));
  CHECK(f.find("") == every);
  CHECK(f.find("Rechnungen") == plural);  // the stems came along (Xapian's synonym table)
  auto added = f.archive->ingest({{mail("From: b@example.org\r\nSubject: Mahnung\r\n", "Zweite Mahnungen\r\n"),
                                   {"alice@example.org", "INBOX", {}, 1701432000, "test", 0}, {}}});
  REQUIRE(added);
  auto index = Index::open_for_writing(f.dir);
  REQUIRE(index);
  auto done = (*index)->catch_up(*f.archive);
  REQUIRE(done);
  CHECK(done->indexed == 1);  // its position survived: only the new message
  index->reset();
  CHECK(f.find("Mahnung") == Set{(*added)[0].message});
}

TEST_CASE("queries are rewritten for the parser, and mistakes are named where they are", "[search]") {
  std::int64_t now = 1700000000;
  CHECK(*rewrite_query("Rechnungen", now) == "rechnungen");
  CHECK(*rewrite_query("from:Alice AND folder:INBOX", now) == "from:alice AND folder:INBOX");
  CHECK(*rewrite_query("date:2023", now) == "date:1672531200..1704067199");
  CHECK(*rewrite_query("size:>1M", now) == "size:1048577..");
  CHECK(*rewrite_query("date:30d..", now) == "date:" + std::to_string(now - 30 * 86400) + "..");
  CHECK(*rewrite_query("\"Exact Words\" Ü", now) == "\"Exact Words\" ü");
  auto bad_date = rewrite_query("subject:x date:2023-13", now);
  REQUIRE_FALSE(bad_date);
  CHECK(bad_date.error().where == "query at character 11");
  auto unknown = rewrite_query("frm:alice", now);
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().message.find("unknown field \"frm:\"") != std::string::npos);
  CHECK_FALSE(rewrite_query("\"open", now));
}

TEST_CASE("HTML gives its words: tags, scripts and styles out, references decoded", "[search]") {
  CHECK(html_to_text("<p>K&uuml;ndigung</p><td>a</td><td>b</td>") == " Kündigung  a  b ");
  CHECK(html_to_text("x<style>p{color:red}</style>y<!-- hidden -->z") == "x y z");
  CHECK(html_to_text("&#220;&#xfc; &amp; &bogus;") == "Üü & &bogus;");
}
