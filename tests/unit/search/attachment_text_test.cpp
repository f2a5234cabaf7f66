// Text inside attachments: a PDF through pdftotext, DOCX and ODT from their
// zip and XML, text files; a damaged file is an error naming why, and the
// indexer lists it and goes on; attachment text is found by bare words and
// by attached:.
#include "archive/archive.h"
#include "core/base64.h"
#include "search/attachment_text.h"
#include "search/index.h"
#include "search/query.h"
#include "tests/support/temp_dir.h"

#include <zip.h>

#include <cstdio>

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::search;

namespace {

// A one-page PDF showing `text` in Helvetica, with a correct cross-reference table.
std::string make_pdf(const std::string& text) {
  std::string content = "BT /F1 18 Tf 72 700 Td (" + text + ") Tj ET\n";
  std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
      "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "endstream",
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"};
  std::string pdf = "%PDF-1.4\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  std::size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (auto o : offsets) {
    char line[32];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", o);
    pdf += line;
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

// A zip file in memory holding these members.
std::string make_zip(const std::vector<std::pair<std::string, std::string>>& members) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  REQUIRE(buffer);
  zip_source_keep(buffer);
  zip_t* zip = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  REQUIRE(zip);
  for (const auto& [name, bytes] : members) {
    zip_source_t* member = zip_source_buffer(zip, bytes.data(), bytes.size(), 0);
    REQUIRE(zip_file_add(zip, name.c_str(), member, ZIP_FL_ENC_UTF_8) >= 0);
  }
  REQUIRE(zip_close(zip) == 0);
  REQUIRE(zip_source_open(buffer) == 0);
  std::string out;
  char chunk[4096];
  for (zip_int64_t n; (n = zip_source_read(buffer, chunk, sizeof chunk)) > 0;) out.append(chunk, static_cast<std::size_t>(n));
  zip_source_close(buffer);
  zip_source_free(buffer);
  zip_error_fini(&error);
  return out;
}

std::string make_docx(const std::string& first, const std::string& second) {
  return make_zip({{"[Content_Types].xml", "<?xml version=\"1.0\"?><Types/>"},
                   {"word/document.xml",
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document><w:body><w:p><w:r><w:t>" + first +
                        "</w:t></w:r></w:p><w:p><w:r><w:t>" + second + "</w:t></w:r></w:p></w:body></w:document>"}});
}

std::string make_odt(const std::string& first, const std::string& second) {
  return make_zip({{"mimetype", "application/vnd.oasis.opendocument.text"},
                   {"content.xml", "<?xml version=\"1.0\"?><office:document-content><office:body><office:text>"
                                   "<text:h>" + first + "</text:h><text:p>" + second +
                                   "</text:p></office:text></office:body></office:document-content>"}});
}

mime::Attachment attachment(std::string name, std::string type, std::string data) {
  return {std::move(name), std::move(type), data.size(), data};
}

std::string part(const std::string& type, const std::string& name, const std::string& bytes) {
  std::string encoded = base64_encode(bytes), folded;
  for (std::size_t i = 0; i < encoded.size(); i += 76) folded += encoded.substr(i, 76) + "\r\n";
  return "--b\r\nContent-Type: " + type + "\r\nContent-Disposition: attachment; filename=\"" + name +
         "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + folded;
}

}  // namespace

TEST_CASE("what kind of attachment: by content type, else by the file name", "[search]") {
  CHECK(kind_of(attachment("x.bin", "application/pdf", "")) == AttachmentKind::Pdf);
  CHECK(kind_of(attachment("Rechnung.PDF", "application/octet-stream", "")) == AttachmentKind::Pdf);
  CHECK(kind_of(attachment("v.docx", "application/octet-stream", "")) == AttachmentKind::Docx);
  CHECK(kind_of(attachment("", "application/vnd.oasis.opendocument.text", "")) == AttachmentKind::Odt);
  CHECK(kind_of(attachment("notes.txt", "application/octet-stream", "")) == AttachmentKind::Text);
  CHECK(kind_of(attachment("photo.jpg", "image/jpeg", "")) == AttachmentKind::None);
}

TEST_CASE("the words of a PDF, a DOCX, an ODT and a text file, and damaged ones named", "[search]") {
  auto pdf = attachment_text(attachment("m.pdf", "application/pdf", make_pdf("Zahlungserinnerung Mahnstufe zwei")));
  INFO((pdf ? *pdf : pdf.error().describe()));
  REQUIRE(pdf);
  CHECK(pdf->find("Zahlungserinnerung Mahnstufe zwei") != std::string::npos);

  auto docx = attachment_text(attachment("v.docx", "application/octet-stream",
                                         make_docx("K&#252;ndigungsfrist", "Vertragsende &amp; Abschluss")));
  REQUIRE(docx);
  CHECK(docx->find("Kündigungsfrist") != std::string::npos);
  CHECK(docx->find("Vertragsende") != std::string::npos);
  CHECK(docx->find("KündigungsfristVertragsende") == std::string::npos);  // paragraphs stay apart
  CHECK(docx->find("& Abschluss") != std::string::npos);

  auto odt = attachment_text(attachment("p.odt", "", make_odt("Protokoll", "Gesellschafterversammlung")));
  REQUIRE(odt);
  CHECK(odt->find("Protokoll") != std::string::npos);
  CHECK(odt->find("Gesellschafterversammlung") != std::string::npos);
  CHECK(odt->find("ProtokollGesellschafterversammlung") == std::string::npos);

  auto latin1 = attachment_text(attachment("n.txt", "text/plain", "Gr\xfc\xdf" "e"));
  REQUIRE(latin1);
  CHECK(*latin1 == "Grüße");

  auto broken = attachment_text(attachment("b.pdf", "application/pdf", "%PDF-1.4\nnothing more"));
  CHECK_FALSE(broken);
  auto not_zip = attachment_text(attachment("b.docx", "", "PK but not a zip"));
  REQUIRE_FALSE(not_zip);
  CHECK(not_zip.error().message.find("not a zip file") != std::string::npos);
  auto too_big = mime::Attachment{"big.pdf", "application/pdf", kMaxAttachmentBytes + 1, {}};
  REQUIRE_FALSE(attachment_text(too_big));
  CHECK(attachment_text(too_big).error().code == Errc::Limit);
}

TEST_CASE("attachment text is indexed, and what cannot be read is listed while indexing goes on", "[search]") {
  test::TempDir tmp;
  std::string dir = tmp.path + "/archive";
  auto a = archive::Archive::open(dir, "test", true);
  REQUIRE(a);
  std::string mail =
      "From: Buchhaltung <b@firma.example>\r\nTo: k@example.org\r\nSubject: Unterlagen\r\nMessage-ID: <att@firma.example>\r\n"
      "Date: Mon, 6 Mar 2023 10:00:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: text/plain\r\n\r\nSiehe Anhang.\r\n" +
      part("application/pdf", "Mahnung.pdf", make_pdf("Zahlungserinnerung Mahnstufe")) +
      part("application/octet-stream", "Vertrag.docx", make_docx("Kuendigungsfrist", "Vertragsende")) +
      part("application/pdf", "kaputt.pdf", "%PDF-1.4\nbroken") + "--b--\r\n";
  REQUIRE((*a)->ingest({{mail, {"b@firma.example", "INBOX", {}, 1678093200, "test", 0}, {}}}));
  auto index = Index::open_for_writing(dir, "de");
  REQUIRE(index);
  auto done = (*index)->catch_up(**a);
  REQUIRE(done);
  CHECK(done->indexed == 1);
  CHECK(done->attachments_read == 2);
  REQUIRE(done->unextracted.size() == 1);
  CHECK(done->unextracted[0].find("message 1: attachment \"kaputt.pdf\"") == 0);
  index->reset();
  for (std::string query : {"zahlungserinnerung", "attached:mahnstufe", "attached:vertragsende", "Kuendigungsfrist"}) {
    auto found = search::search(dir, query, Sort::Newest, 10);
    INFO(query);
    REQUIRE(found);
    CHECK(found->total == 1);
  }
  auto name_only = search::search(dir, "attached:mahnung", Sort::Newest, 10);  // a file name is not its text
  REQUIRE(name_only);
  CHECK(name_only->total == 0);
}
