#include "server/search_keys.h"

#include "imap/command.h"

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::server;

namespace {

Result<SearchKey> keys(const std::string& text) {
  imap::Frame frame{"a SEARCH " + text + "\r\n", {}};
  auto command = imap::parse_command(frame);
  REQUIRE(command);
  return parse_search(command->args);
}

bool hit(const std::string& text, const store::MessageRecord& r, const std::string& bytes, std::uint32_t seq = 1) {
  auto k = keys(text);
  INFO(text);
  REQUIRE(k);
  SearchSubject s{seq, 10, 100, &r, &bytes};
  return matches(*k, s);
}

}  // namespace

TEST_CASE("SEARCH keys against one message", "[server][search]") {
  store::MessageRecord r;
  r.uid = 42;
  r.size = 1200;
  r.flags = {"\\Seen", "$Work"};
  r.internaldate = "15-Mar-2024 23:30:00 -0500";  // the 16th in UTC: the day as written counts
  std::string m = "Date: Thu, 14 Mar 2024 10:00:00 +0000\r\nFrom: Alice <alice@example.org>\r\nSubject: Quarterly\r\n"
                  " report\r\n\r\nThe numbers are in.\r\n";
  CHECK(hit("ALL", r, m));
  CHECK(hit("SEEN KEYWORD $Work", r, m));
  CHECK_FALSE(hit("UNSEEN", r, m));
  CHECK(hit("OR FLAGGED LARGER 1000", r, m));
  CHECK_FALSE(hit("NOT LARGER 1000", r, m));
  CHECK(hit("UID 40:50", r, m));
  CHECK(hit("ON 15-Mar-2024", r, m));
  CHECK(hit("SINCE \"15-Mar-2024\" BEFORE 16-Mar-2024", r, m));
  CHECK(hit("SENTON 14-Mar-2024", r, m));
  CHECK(hit("FROM ALICE@EXAMPLE", r, m));
  CHECK(hit("SUBJECT \"quarterly report\"", r, m));  // unfolded (RFC 5322 §2.2.3)
  CHECK(hit("SUBJECT report", r, m));
  CHECK(hit("BODY numbers", r, m));
  CHECK_FALSE(hit("BODY alice", r, m));
  CHECK(hit("TEXT alice", r, m));
  CHECK(hit("HEADER subject \"\"", r, m));
  CHECK_FALSE(hit("HEADER X-Spam \"\"", r, m));
  CHECK(hit("1:* (SEEN UNDELETED)", r, m));
  CHECK_FALSE(hit("2:3", r, m));
  CHECK(hit("CHARSET UTF-8 SEEN", r, m));
  for (const char* bad : {"", "LARGER big", "ON 2024-03-15", "OR SEEN", "FLUX"}) {
    INFO(bad);
    CHECK_FALSE(keys(bad));
  }
  auto charset = keys("CHARSET KOI8-R SEEN");
  REQUIRE_FALSE(charset);
  CHECK(charset.error().code == Errc::Usage);
}

TEST_CASE("SEARCH finds text in encoded words and encoded bodies", "[server][search]") {
  store::MessageRecord r;
  r.uid = 7;
  r.internaldate = "01-Jan-2024 00:00:00 +0000";
  std::string m = "Subject: =?ISO-8859-1?Q?Rechnung_f=FCr_M=E4rz?=\r\nMIME-Version: 1.0\r\n"
                  "Content-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                  "Betrag f=FCr die Lieferung=\r\n: 10 EUR\r\n";
  CHECK(hit("SUBJECT \"Rechnung für\"", r, m));
  CHECK(hit("SUBJECT Rechnung_f", r, m));  // as written, too
  CHECK(hit("BODY \"Lieferung: 10\"", r, m));  // the soft line break undone
  CHECK(hit("BODY \"für die\"", r, m));        // ISO-8859-1 read as UTF-8 text
  CHECK(hit("TEXT \"für März\"", r, m));
  CHECK_FALSE(hit("BODY März", r, m));  // the subject is not the body
  std::string b64 = "Subject: b\r\nContent-Transfer-Encoding: base64\r\n\r\nSGVsbG8gd29ybGQ=\r\n";
  CHECK(hit("BODY \"hello world\"", r, b64));
}

TEST_CASE("SEARCH MODSEQ compares the message's mod-sequence, with or without an entry", "[server][search]") {
  store::MessageRecord r;
  r.uid = 3;
  r.modseq = 50;
  r.internaldate = "01-Jan-2024 00:00:00 +0000";
  std::string m = "Subject: x\r\n\r\nbody\r\n";
  CHECK(hit("MODSEQ 50", r, m));
  CHECK_FALSE(hit("MODSEQ 51", r, m));
  CHECK(hit("MODSEQ \"/flags/\\\\seen\" all 12", r, m));
  auto with = keys("NOT MODSEQ 7");
  REQUIRE(with);
  CHECK(uses_modseq(*with));
  CHECK_FALSE(uses_modseq(*keys("ALL")));
  CHECK_FALSE(keys("MODSEQ \"/flags/x\" sometimes 5"));
  CHECK_FALSE(keys("MODSEQ many"));
}
