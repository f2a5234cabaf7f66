// The MIME tree as search reads it: decoded text, attachment names, limits;
// and every message of the real corpus read without an error.
#include "mime/message.h"

#include "tests/result_printer.h"
#include "tests/support/corpus.h"

using mf::mime::parse_message;

namespace {

const char* kMultipart =
    "From: =?ISO-8859-1?Q?J=FCrgen?= <j@example.org>\r\n"
    "To: a@example.net\r\n"
    "Subject: =?UTF-8?B?UmVjaG51bmcgw5xiZXJzaWNodA==?=\r\n"
    "Message-ID: <m1@example.org>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
    "\r\n"
    "preamble\r\n"
    "--b1\r\n"
    "Content-Type: multipart/alternative; boundary=\"b2\"\r\n"
    "\r\n"
    "--b2\r\n"
    "Content-Type: text/plain; charset=iso-8859-1\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Gr=FC=DFe aus M=FCnchen\r\n"
    "--b2\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "\r\n"
    "<p>Gr\xC3\xBC\xC3\x9F" "e</p>\r\n"
    "--b2--\r\n"
    "--b1\r\n"
    "Content-Type: application/pdf\r\n"
    "Content-Disposition: attachment; filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "JVBERi0xLjQK\r\n"
    "--b1\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "Subject: inner\r\n"
    "\r\n"
    "forwarded text\r\n"
    "--b1--\r\n";

}  // namespace

TEST_CASE("a multipart message gives its decoded text parts and its attachments", "[mime]") {
  auto m = parse_message(kMultipart);
  REQUIRE(m);
  CHECK(m->subject == "Rechnung \xC3\x9C" "bersicht");
  CHECK(m->message_id == "m1@example.org");
  REQUIRE(m->from.size() == 1);
  CHECK(m->from[0].name == "J\xC3\xBCrgen");
  REQUIRE(m->text_parts.size() == 3);
  CHECK(m->text_parts[0].content_type == "text/plain");
  CHECK(m->text_parts[0].text.find("Gr\xC3\xBC\xC3\x9F" "e aus M\xC3\xBCnchen") != std::string::npos);
  CHECK(m->text_parts[1].content_type == "text/html");
  CHECK(m->text_parts[2].text.find("forwarded text") != std::string::npos);
  REQUIRE(m->attachments.size() == 2);
  CHECK(m->attachments[0].filename == "Rechnung M\xC3\xA4rz.pdf");
  CHECK(m->attachments[0].content_type == "application/pdf");
  CHECK(m->attachments[0].size == 9);  // "%PDF-1.4\n"
  CHECK(m->attachments[1].content_type == "message/rfc822");
  CHECK_FALSE(m->truncated);
}

TEST_CASE("text beyond the limit and parts nested too deep are cut and say so", "[mime]") {
  auto m = parse_message(kMultipart, {.text_bytes = 10, .depth = 32});
  REQUIRE(m);
  CHECK(m->truncated);
  std::size_t total = 0;
  for (const auto& t : m->text_parts) total += t.text.size();
  CHECK(total == 10);
  std::string nested = "Subject: deep\r\n";
  for (int i = 0; i < 40; ++i)
    nested += "Content-Type: multipart/mixed; boundary=\"n" + std::to_string(i) + "\"\r\n\r\n--n" + std::to_string(i) + "\r\n";
  nested += "Content-Type: text/plain\r\n\r\nat the bottom\r\n";
  auto deep = parse_message(nested);
  REQUIRE(deep);
  CHECK(deep->truncated);
  CHECK(deep->text_parts.empty());
  auto shallow = parse_message(nested, {.text_bytes = 1 << 20, .depth = 64});
  REQUIRE(shallow);
  REQUIRE(shallow->text_parts.size() == 1);
  CHECK(shallow->text_parts[0].text.find("at the bottom") != std::string::npos);
}

TEST_CASE("a base64 body made of padded pieces is read whole, not cut at the first '=' (gmime#150)", "[mime]") {
  auto m = parse_message("Subject: x\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
                         "Content-Transfer-Encoding: base64\r\n\r\nSGVsbG8=\r\nIFf2cmxk\r\n");
  REQUIRE(m);
  REQUIRE(m->text_parts.size() == 1);
  CHECK(m->text_parts[0].text == "Hello W\xC3\xB6rld");  // ISO-8859-1 converted
  auto plain = parse_message("Subject: y\r\nContent-Transfer-Encoding: base64\r\n\r\nSGVsbG8gV29ybGQ=\r\n");
  REQUIRE(plain);
  CHECK(plain->text_parts[0].text == "Hello World");
}

TEST_CASE("a subject split over encoded words, even inside a character, is read whole (gmime#133)", "[mime]") {
  for (const char* subject : {"=?UTF-8?Q?=C3?= =?UTF-8?Q?=9Cberweisung_f=C3=BCr_M=C3=A4rz?=",
                              "=?UTF-8?B?w5xiZXJ3ZWlz?=\r\n =?UTF-8?B?dW5nIGbDvHIgTcOkcno=?="}) {
    auto m = parse_message(std::string("Subject: ") + subject + "\r\n\r\nx\r\n");
    REQUIRE(m);
    CHECK(m->subject == "\xC3\x9C" "berweisung f\xC3\xBCr M\xC3\xA4rz");
  }
}

TEST_CASE("every corpus message is read, with its subject and some text or attachment", "[mime][corpus]") {
  std::size_t messages = 0, with_attachment = 0;
  for (const char* group : {"easy-ham-1", "spam-2"}) {
    auto mails = mf::test::load_corpus_group(group, 400);
    REQUIRE(mails);
    for (const auto& raw : *mails) {
      auto m = parse_message(raw);
      REQUIRE(m);
      ++messages;
      CHECK((!m->text_parts.empty() || !m->attachments.empty()));
      if (!mf::mime::Headers(raw).value("Subject").empty()) CHECK(!m->subject.empty());
      if (!m->attachments.empty()) ++with_attachment;
    }
  }
  CHECK(messages == 800);
  CHECK(with_attachment > 0);
}
