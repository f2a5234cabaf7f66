// mailferry serve's IMAP4rev2 pieces (RFC 9051) over raw transcripts: IDLE
// woken by other sessions and by LMTP, BINARY, SEARCHRES, ENABLE IMAP4rev2.
#include "tests/integration/harness.h"
#include "tests/integration/wire.h"

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::test;

TEST_CASE("serve: IDLE sends what other sessions and LMTP change as it happens until DONE", "[integration][serve]") {
  OwnServer server(temp_dir() + "/own", {"alice"}, {"--lmtp", "127.0.0.1:0"});
  Wire idler(server.port()), other(server.port());
  REQUIRE(has(idler.run("a", "LOGIN alice alice-secret"), " IDLE "));
  REQUIRE(has(other.run("a", "LOGIN alice alice-secret"), "a OK"));
  REQUIRE(has(idler.run("b", "SELECT INBOX"), "b OK"));
  idler.send("c IDLE\r\n");
  CHECK(has(idler.until("+ "), "+ idling"));

  // Each change arrives with no command from the idler (the reads would time out after 10 s).
  REQUIRE(has(other.run("d", "APPEND INBOX {10+}\r\nSubject: 1"), "d OK"));
  CHECK(has(idler.until("* 1 RECENT"), "* 1 EXISTS\r\n"));
  REQUIRE(has(other.run("e", "SELECT INBOX"), "e OK"));
  REQUIRE(has(other.run("f", "STORE 1 +FLAGS (\\Flagged)"), "f OK"));
  CHECK(has(idler.until("* 1 FETCH"), "* 1 FETCH (UID 1 FLAGS (\\Flagged \\Recent))"));

  Wire lmtp(server.ports()[1], "220 ");
  lmtp.send("LHLO mta\r\nMAIL FROM:<s@example.org>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n");
  REQUIRE(has(lmtp.until("354"), "354"));
  lmtp.send("Subject: by lmtp\r\n\r\nhello\r\n.\r\n");
  REQUIRE(has(lmtp.until("250 2.0.0"), "delivered to INBOX"));
  CHECK(has(idler.until("* 2 EXISTS"), "* 2 EXISTS"));

  REQUIRE(has(other.run("g", "STORE 1 +FLAGS (\\Deleted)"), "g OK"));
  REQUIRE(has(other.run("h", "EXPUNGE"), "h OK"));
  CHECK(has(idler.until("* 1 EXPUNGE"), "* 1 EXPUNGE"));  // RFC 9051 §7.5.1: IDLE may carry EXPUNGE

  // DONE ends it; a command pipelined behind DONE is answered next.
  idler.send("DONE\r\ni NOOP\r\n");
  CHECK(has(idler.until("c "), "c OK IDLE terminated"));
  CHECK(has(idler.until("i "), "i OK"));

  // Anything but DONE ends IDLE with BAD; IDLE works without a selected mailbox too.
  REQUIRE(has(idler.run("j", "UNSELECT"), "j OK"));
  idler.send("k IDLE\r\n");
  REQUIRE(has(idler.until("+ "), "+ idling"));
  REQUIRE(has(other.run("l", "APPEND INBOX {1+}\r\nx"), "l OK"));
  idler.send("STOP\r\n");
  auto ended = idler.until("k ");
  CHECK(has(ended, "k BAD IDLE ends with DONE"));
  CHECK_FALSE(has(ended, "EXISTS"));
  CHECK(has(idler.run("m", "NOOP"), "m OK"));
}

TEST_CASE("serve: SIGTERM during IDLE says BYE", "[integration][serve]") {
  OwnServer server(temp_dir() + "/own");
  Wire c(server.port());
  REQUIRE(has(c.run("a", "LOGIN alice alice-secret"), "a OK"));
  REQUIRE(has(c.run("b", "SELECT INBOX"), "b OK"));
  c.send("c IDLE\r\n");
  REQUIRE(has(c.until("+ "), "+ idling"));
  CHECK(server.stop() == 0);
  auto bye = c.until("* BYE");
  CHECK(has(bye, "* BYE the server is shutting down"));
  CHECK_FALSE(has(bye, "c OK"));
}

TEST_CASE("serve: BINARY gives parts decoded and keeps NUL bytes out of BODY answers", "[integration][serve]") {
  using namespace std::string_literals;
  OwnServer server(temp_dir() + "/own");
  Wire c(server.port());
  REQUIRE(has(c.run("a", "LOGIN alice alice-secret"), " BINARY "));
  // RFC 3516 §4.4: a literal8 APPEND carries NUL bytes.
  std::string binary_body = "\0\xe4\r\n"s;
  std::string message = "Subject: bin\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n"s +
                        binary_body;
  c.send("b APPEND INBOX ~{" + std::to_string(message.size()) + "}\r\n");
  REQUIRE(has(c.until("+ "), "+ "));
  c.send(message + "\r\n");
  REQUIRE(has(c.until("b "), "b OK [APPENDUID"));
  std::string mime = "Subject: mime\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
                     "Content-Transfer-Encoding: base64\r\n\r\naGVs\r\nbG8=\r\n--b\r\n"
                     "Content-Transfer-Encoding: quoted-printable\r\n\r\nsoft=\r\nbreak =3D\r\n--b\r\n"
                     "Content-Transfer-Encoding: x-uuencode\r\n\r\nbegin\r\n--b--\r\n";
  REQUIRE(has(c.run("c", "APPEND INBOX {" + std::to_string(mime.size()) + "+}\r\n" + mime), "c OK"));
  REQUIRE(has(c.run("d", "SELECT INBOX"), "d OK"));

  auto body = c.run("e", "FETCH 1 (BODY.PEEK[1] BINARY.PEEK[1] BINARY.SIZE[1])");
  CHECK(has(body, "BODY[1] {10}\r\nAOQNCg==\r\n"));  // base64 of the part: an IMAP literal has no NUL (RFC 9051 §4.3)
  CHECK(has(body, "BINARY[1] ~{4}\r\n"s + binary_body));  // the stored bytes as they came
  CHECK(has(body, "BINARY.SIZE[1] 4"));
  auto whole = c.run("f", "FETCH 1 BINARY.PEEK[]");
  CHECK(has(whole, "BINARY[] ~{" + std::to_string(message.size()) + "}\r\n" + message));

  auto parts = c.run("g", "FETCH 2 (BINARY.PEEK[1] BINARY.PEEK[2]<4.20> BINARY.SIZE[2])");
  CHECK(has(parts, "BINARY[1] {5}\r\nhello"));
  CHECK(has(parts, "BINARY[2]<4> {7}\r\nbreak ="));
  CHECK(has(parts, "BINARY.SIZE[2] 11"));
  CHECK(has(c.run("h", "FETCH 2 BINARY.PEEK[3]"), "h NO [UNKNOWN-CTE]"));  // RFC 3516 §4.3
  CHECK(has(c.run("i", "FETCH 2 BINARY.PEEK[HEADER]"), "i BAD"));
  CHECK(has(c.run("j", "FETCH 2 FLAGS"), "FLAGS (\\Recent)"));
  auto seen = c.run("k", "FETCH 2 BINARY[1]");  // without PEEK: \Seen is set (RFC 3516 §4.2)
  CHECK(has(seen, "\\Seen"));
}

TEST_CASE("serve: SEARCH RETURN (SAVE) keeps a result that $ names in later commands", "[integration][serve]") {
  OwnServer server(temp_dir() + "/own");
  Wire c(server.port());
  REQUIRE(has(c.run("a", "LOGIN alice alice-secret"), " SEARCHRES "));
  for (int i = 1; i <= 5; ++i)
    REQUIRE(has(c.run("b" + std::to_string(i), "APPEND INBOX " + std::string(i % 2 ? "(\\Flagged) " : "") + "{1+}\r\nx"), " OK"));
  REQUIRE(has(c.run("c", "SELECT INBOX"), "c OK"));
  CHECK(has(c.run("d", "FETCH $ UID"), "d OK"));  // nothing saved yet: an empty set (RFC 5182 §2.1)
  auto saved = c.run("e", "SEARCH RETURN (SAVE) FLAGGED");
  CHECK_FALSE(has(saved, "ESEARCH"));  // SAVE alone answers nothing but OK (§2.4)
  CHECK(has(saved, "e OK"));
  auto fetched = c.run("f", "FETCH $ (UID)");
  CHECK(has(fetched, "* 1 FETCH (UID 1)"));
  CHECK(has(fetched, "* 3 FETCH (UID 3)"));
  CHECK(has(fetched, "* 5 FETCH (UID 5)"));
  CHECK_FALSE(has(fetched, "* 2 FETCH"));
  // An expunged message leaves the saved result; sequence numbers follow.
  REQUIRE(has(c.run("g", "STORE 1 +FLAGS.SILENT (\\Deleted)"), "g OK"));
  REQUIRE(has(c.run("h", "EXPUNGE"), "* 1 EXPUNGE"));
  CHECK(has(c.run("i", "UID SEARCH UID $"), "* SEARCH 3 5\r\n"));
  CHECK(has(c.run("j", "SEARCH $ NOT $"), "* SEARCH\r\n"));
  auto stored = c.run("k", "UID STORE $ +FLAGS (\\Seen)");
  CHECK(has(stored, "FETCH (UID 3 FLAGS"));
  CHECK(has(stored, "FETCH (UID 5 FLAGS"));
  REQUIRE(has(c.run("l", "CREATE Kept"), "l OK"));
  CHECK(has(c.run("m", "COPY $ Kept"), "m OK [COPYUID "));
  CHECK(has(c.run("n", "STATUS Kept (MESSAGES)"), "(MESSAGES 2)"));
  // MIN with SAVE keeps only the minimum (§2.4); a failed SEARCH empties "$" (§2.1).
  CHECK(has(c.run("o", "SEARCH RETURN (SAVE MIN) ALL"), "* ESEARCH (TAG \"o\") MIN 1"));
  CHECK(has(c.run("p", "SEARCH $"), "* SEARCH 1\r\n"));
  CHECK(has(c.run("q", "SEARCH RETURN (SAVE) BOGUS"), "q BAD"));
  CHECK(has(c.run("r", "SEARCH $"), "* SEARCH\r\n"));
  // A new selection starts without one.
  REQUIRE(has(c.run("s", "SEARCH RETURN (SAVE) ALL"), "s OK"));
  REQUIRE(has(c.run("t", "SELECT INBOX"), "* OK [CLOSED]"));
  CHECK(has(c.run("u", "SEARCH $"), "* SEARCH\r\n"));
}

TEST_CASE("serve: ENABLE IMAP4rev2 drops \\Recent, answers SEARCH with ESEARCH and takes UTF-8 names", "[integration][serve]") {
  OwnServer server(temp_dir() + "/own");
  Wire old_client(server.port()), rev2(server.port());
  CHECK(has(rev2.greeting, "IMAP4rev1 IMAP4rev2 "));
  REQUIRE(has(old_client.run("a", "LOGIN alice alice-secret"), "a OK"));
  REQUIRE(has(rev2.run("a", "LOGIN alice alice-secret"), "a OK"));
  CHECK(has(rev2.run("b", "ENABLE IMAP4rev2 XYZZY CONDSTORE"), "* ENABLED IMAP4rev2 CONDSTORE\r\n"));
  CHECK(has(rev2.run("c", "ENABLE IMAP4rev2"), "* ENABLED\r\n"));  // RFC 5161 §3.2: only what this command enabled
  REQUIRE(has(rev2.run("d", "APPEND INBOX {1+}\r\nx"), "d OK"));

  auto select = rev2.run("e", "SELECT INBOX");
  CHECK(has(select, "* 1 EXISTS"));
  CHECK_FALSE(has(select, "RECENT"));
  CHECK(has(select, "* LIST () \"/\" INBOX\r\n"));  // RFC 9051 §6.3.2
  CHECK_FALSE(has(rev2.run("f", "FETCH 1 FLAGS"), "\\Recent"));
  CHECK(has(rev2.run("g", "SEARCH ALL"), "* ESEARCH (TAG \"g\") ALL 1\r\n"));
  CHECK(has(rev2.run("h", "UID SEARCH DELETED"), "* ESEARCH (TAG \"h\") UID\r\n"));
  // The rev2 session claimed nothing: the IMAP4rev1 session still gets its \Recent.
  CHECK(has(old_client.run("b", "SELECT INBOX"), "* 1 RECENT"));

  // Names: UTF-8 for the rev2 session, modified UTF-7 for the other, one mailbox.
  REQUIRE(has(rev2.run("i", "CREATE Entwürfe"), "i OK"));
  CHECK(has(rev2.run("j", "LIST \"\" Entw*"), "* LIST (\\HasNoChildren) \"/\" {9}\r\nEntwürfe\r\n"));
  CHECK(has(old_client.run("c", "LIST \"\" Entw*"), "* LIST (\\HasNoChildren) \"/\" Entw&APw-rfe\r\n"));
  CHECK(has(rev2.run("k", "CREATE \"bad\xff\""), "k NO"));
}

TEST_CASE("serve: CONDSTORE gives mod-sequences, fetches what changed and stores only what did not", "[integration][serve]") {
  OwnServer server(temp_dir() + "/own");
  Wire c(server.port()), other(server.port());
  REQUIRE(has(c.run("a", "LOGIN alice alice-secret"), " CONDSTORE "));
  REQUIRE(has(other.run("a", "LOGIN alice alice-secret"), "a OK"));
  for (int i = 1; i <= 3; ++i) REQUIRE(has(c.run("b" + std::to_string(i), "APPEND INBOX {1+}\r\nx"), " OK"));
  auto select = c.run("c", "SELECT INBOX (CONDSTORE)");
  REQUIRE(has(select, "* OK [HIGHESTMODSEQ "));
  auto modseq_of = [](const std::string& text, const std::string& after) {
    auto at = text.find(after);
    REQUIRE(at != std::string::npos);
    return std::stoull(text.substr(at + after.size()));
  };
  std::uint64_t start = modseq_of(select, "[HIGHESTMODSEQ ");
  auto all = c.run("d", "FETCH 1:* (MODSEQ)");
  CHECK(has(all, "* 3 FETCH (MODSEQ ("));

  // A change by another session comes with its MODSEQ (RFC 7162 §3.2).
  REQUIRE(has(other.run("e", "SELECT INBOX"), "e OK"));
  REQUIRE(has(other.run("f", "STORE 2 +FLAGS (\\Flagged)"), "f OK"));
  auto noop = c.run("g", "NOOP");
  CHECK(has(noop, "* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent) MODSEQ ("));
  std::uint64_t flagged = modseq_of(noop, "MODSEQ (");
  CHECK(flagged > start);

  // CHANGEDSINCE: only message 2 changed since the SELECT.
  auto changed = c.run("h", "UID FETCH 1:* (FLAGS) (CHANGEDSINCE " + std::to_string(start) + ")");
  CHECK(has(changed, "* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent) MODSEQ (" + std::to_string(flagged) + "))"));
  CHECK_FALSE(has(changed, "* 1 FETCH"));
  CHECK_FALSE(has(changed, "* 3 FETCH"));

  // UNCHANGEDSINCE: message 2 changed after `start`, so it is left as it is and named in MODIFIED.
  auto conditional = c.run("i", "STORE 1:3 (UNCHANGEDSINCE " + std::to_string(start) + ") +FLAGS.SILENT (\\Seen)");
  CHECK(has(conditional, "i OK [MODIFIED 2]"));
  CHECK(has(conditional, "* 1 FETCH (MODSEQ ("));  // silent, but the new mod-sequence comes
  CHECK_FALSE(has(conditional, "* 2 FETCH"));
  CHECK_FALSE(has(c.run("j", "FETCH 2 FLAGS"), "\\Seen"));

  // SEARCH MODSEQ names the highest mod-sequence found; STATUS HIGHESTMODSEQ the mailbox's.
  auto search = c.run("k", "SEARCH MODSEQ \"/flags/\\\\seen\" all " + std::to_string(flagged + 1));
  CHECK(has(search, "* SEARCH 1 3 (MODSEQ "));
  auto status = c.run("l", "STATUS INBOX (HIGHESTMODSEQ MESSAGES)");
  CHECK(has(status, "(HIGHESTMODSEQ "));
  CHECK(modseq_of(status, "(HIGHESTMODSEQ ") > flagged);
  CHECK(has(c.run("m", "STORE 1 (UNCHANGEDSINCE x) +FLAGS (\\Seen)"), "m BAD"));
  CHECK(has(c.run("n", "FETCH 1 (FLAGS) (CHANGEDSINCE)"), "n BAD"));
}

TEST_CASE("serve: a command that uses a mod-sequence turns CONDSTORE on and says the HIGHESTMODSEQ", "[integration][serve]") {
  OwnServer server(temp_dir() + "/own");
  Wire c(server.port());
  REQUIRE(has(c.run("a", "LOGIN alice alice-secret"), "a OK"));
  REQUIRE(has(c.run("b", "APPEND INBOX {1+}\r\nx"), "b OK"));
  REQUIRE(has(c.run("c", "SELECT INBOX"), "c OK"));
  CHECK_FALSE(has(c.run("d", "STORE 1 +FLAGS (\\Seen)"), "MODSEQ"));  // not yet on
  auto on = c.run("e", "FETCH 1 (MODSEQ)");
  CHECK(has(on, "* OK [HIGHESTMODSEQ "));
  CHECK(has(c.run("f", "STORE 1 -FLAGS (\\Seen)"), "MODSEQ ("));
  CHECK(has(c.run("g", "ENABLE CONDSTORE"), "* ENABLED\r\n"));  // already on
}

TEST_CASE("serve: SORT and UID SORT order what the search keys find", "[integration][serve]") {
  OwnServer server(temp_dir() + "/own");
  Wire c(server.port());
  REQUIRE(has(c.run("a", "LOGIN alice alice-secret"), " SORT "));
  const char* messages[] = {"From: Zoe <zoe@example.org>\r\nSubject: Re: Budget\r\nDate: Tue, 2 Jan 2024 10:00:00 +0000\r\n\r\nx",
                            "From: adam@example.org\r\nSubject: Agenda\r\nDate: Wed, 3 Jan 2024 10:00:00 +0000\r\n\r\nxx",
                            "From: Bea <bea@example.org>\r\nSubject: budget\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\nxxx"};
  for (const char* m : messages) {
    std::string text = m;
    REQUIRE(has(c.run("b", "APPEND INBOX {" + std::to_string(text.size()) + "+}\r\n" + text), "b OK"));
  }
  REQUIRE(has(c.run("c", "SELECT INBOX"), "c OK"));
  CHECK(has(c.run("d", "SORT (SUBJECT) UTF-8 ALL"), "* SORT 2 1 3\r\n"));  // "Re: Budget" sorts as "budget"
  CHECK(has(c.run("e", "SORT (DATE) US-ASCII ALL"), "* SORT 3 1 2\r\n"));
  CHECK(has(c.run("f", "SORT (FROM) UTF-8 ALL"), "* SORT 2 3 1\r\n"));  // adam, bea, zoe
  CHECK(has(c.run("g", "SORT (DISPLAYFROM) UTF-8 ALL"), "* SORT 2 3 1\r\n"));  // adam@..., Bea, Zoe
  CHECK(has(c.run("h", "UID SORT (REVERSE SIZE) UTF-8 NOT SUBJECT agenda"), "* SORT 1 3\r\n"));
  CHECK(has(c.run("i", "SORT (SUBJECT) KOI8-R ALL"), "i NO [BADCHARSET"));
  CHECK(has(c.run("j", "SORT (COLOUR) UTF-8 ALL"), "j BAD"));
}

TEST_CASE("serve: THREAD REFERENCES and ORDEREDSUBJECT answer nested threads", "[integration][serve]") {
  OwnServer server(temp_dir() + "/own");
  Wire c(server.port());
  REQUIRE(has(c.run("a", "LOGIN alice alice-secret"), " THREAD=REFERENCES "));
  const char* messages[] = {"Message-ID: <1@x>\r\nSubject: Plan\r\n\r\nx", "Message-ID: <2@x>\r\nIn-Reply-To: <1@x>\r\nSubject: Re: Plan\r\n\r\nx",
                            "Message-ID: <3@x>\r\nSubject: Other\r\n\r\nx", "Message-ID: <4@x>\r\nReferences: <1@x> <2@x>\r\nSubject: Re: Plan\r\n\r\nx"};
  for (const char* m : messages) {
    std::string text = m;
    REQUIRE(has(c.run("b", "APPEND INBOX {" + std::to_string(text.size()) + "+}\r\n" + text), "b OK"));
  }
  REQUIRE(has(c.run("c", "SELECT INBOX"), "c OK"));
  CHECK(has(c.run("d", "THREAD REFERENCES UTF-8 ALL"), "* THREAD (1 2 4)(3)\r\n"));
  CHECK(has(c.run("e", "UID THREAD ORDEREDSUBJECT UTF-8 ALL"), "* THREAD (1 (2)(4))(3)\r\n"));
  CHECK(has(c.run("f", "THREAD REFERENCES UTF-8 NOT SUBJECT other"), "* THREAD (1 2 4)\r\n"));
  CHECK(has(c.run("g", "THREAD SPAGHETTI UTF-8 ALL"), "g BAD"));
}
