// mailferry serve against real clients: raw transcripts over a socket (each
// command and the answers RFC 9051 asks for), mailferry's own migrate and
// verify with Dovecot as the source, and the server's lifecycle.
#include "tests/integration/harness.h"
#include "tests/integration/wire.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::test;

TEST_CASE("serve: a session from login to logout with each answer as RFC 9051 asks", "[integration][serve]") {
  OwnServer server(temp_dir() + "/own");
  Wire c(server.port());
  CHECK(has(c.greeting, "* OK [CAPABILITY IMAP4rev1 "));
  CHECK(has(c.greeting, "AUTH=PLAIN"));  // on loopback passwords may go in the clear

  auto wrong = c.run("a1", "LOGIN alice wrong");
  CHECK(has(wrong, "a1 NO [AUTHENTICATIONFAILED]"));
  CHECK(has(c.run("a2", "SELECT INBOX"), "a2 BAD SELECT needs a login first"));
  auto login = c.run("a3", "LOGIN alice alice-secret");
  CHECK(has(login, "a3 OK [CAPABILITY IMAP4rev1 "));
  CHECK(has(login, " UIDPLUS "));

  CHECK(has(c.run("b1", "CREATE Archive/2024"), "b1 OK"));
  CHECK(has(c.run("b2", "CREATE archive/2024/"), "b2 OK"));  // names are case-sensitive, a trailing "/" is dropped
  CHECK(has(c.run("b3", "CREATE Archive/2024"), "b3 NO [ALREADYEXISTS]"));
  auto list = c.run("b4", "LIST \"\" *");
  CHECK(has(list, "* LIST (\\HasChildren) \"/\" Archive\r\n"));
  CHECK(has(list, "* LIST (\\HasNoChildren) \"/\" Archive/2024\r\n"));
  CHECK(has(list, "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"));
  CHECK(has(c.run("b5", "LIST \"\" \"\""), "* LIST (\\Noselect) \"/\" \"\""));
  CHECK(has(c.run("b6", "LIST \"\" %"), "Archive\r\n"));
  CHECK_FALSE(has(c.run("b7", "LIST \"\" %"), "Archive/2024"));

  // A synchronizing literal waits for "+"; the message is stored as sent.
  std::string message = "Subject: first\r\n\r\nline one\r\r\nline two\r\n";
  c.send("c1 APPEND INBOX (\\Seen $Work) \"01-Feb-2024 10:00:00 +0100\" {" + std::to_string(message.size()) + "}\r\n");
  CHECK(has(c.until("+ "), "+ "));
  c.send(message + "\r\n");
  auto appended = c.until("c1 ");
  CHECK(has(appended, "c1 OK [APPENDUID "));
  CHECK(has(appended, " 1] "));
  // LITERAL+ and MULTIAPPEND: two messages in one command, no waiting.
  auto multi = c.run("c2", "APPEND INBOX {7+}\r\nSmall 1 (\\Flagged) {7+}\r\nSmall 2");
  CHECK(has(multi, " 2:3] "));
  CHECK(has(c.run("c3", "APPEND Nowhere {1+}\r\nx"), "c3 NO [TRYCREATE]"));

  auto select = c.run("d1", "SELECT INBOX");
  CHECK(has(select, "* 3 EXISTS\r\n"));
  CHECK(has(select, "* OK [UIDVALIDITY "));
  CHECK(has(select, "* OK [UIDNEXT 4]"));
  CHECK(has(select, "* OK [UNSEEN 2]"));
  CHECK(has(select, "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work)"));
  CHECK(has(select, "d1 OK [READ-WRITE]"));

  auto fetch = c.run("d2", "FETCH 1 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[])");
  // The session that selects a mailbox first takes its new messages as \\Recent (RFC 3501 §2.3.2).
  CHECK(has(fetch, "* 1 FETCH (UID 1 FLAGS (\\Seen $Work \\Recent) INTERNALDATE \"01-Feb-2024 10:00:00 +0100\" RFC822.SIZE " +
                       std::to_string(message.size())));
  CHECK(has(fetch, "BODY[HEADER.FIELDS (SUBJECT)] {18}\r\nSubject: first\r\n\r\n"));
  CHECK(has(fetch, "BODY[] {" + std::to_string(message.size()) + "}\r\n" + message + ")"));
  // Without PEEK, \Seen is set and the FLAGS say so (RFC 9051 §6.4.5).
  auto seen = c.run("d3", "UID FETCH 2 (BODY[TEXT])");
  CHECK(has(seen, "* 2 FETCH (UID 2 BODY[TEXT] {0}\r\n FLAGS (\\Seen \\Recent))"));
  CHECK(has(c.run("d4", "FETCH 1:* (BODY.PEEK[]<2.3>)"), "BODY[]<2> {3}\r\nbje)"));
  CHECK(has(c.run("d5", "FETCH 9 FLAGS"), "d5 BAD"));
  CHECK(has(c.run("d6", "FETCH 1 ENVELOPE"), "* 1 FETCH (ENVELOPE (NIL \"first\" NIL NIL NIL NIL NIL NIL NIL NIL))"));
  CHECK(has(c.run("d7", "FETCH 1 BODYSTRUCTURE"),
            "* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 21 2 NIL NIL NIL NIL))"));
  CHECK(has(c.run("d8", "FETCH 1 BINARY.PEEK[]"), "BINARY[] {" + std::to_string(message.size()) + "}\r\n" + message));

  auto store = c.run("e1", "STORE 2:3 +FLAGS (\\Deleted)");
  CHECK(has(store, "* 2 FETCH (FLAGS (\\Seen \\Deleted \\Recent))"));
  CHECK(has(store, "* 3 FETCH (FLAGS (\\Flagged \\Deleted \\Recent))"));
  CHECK_FALSE(has(c.run("e2", "UID STORE 1 +FLAGS.SILENT (\\Answered)"), "FETCH"));
  CHECK(has(c.run("e3", "SEARCH DELETED"), "* SEARCH 2 3\r\n"));
  CHECK(has(c.run("e4", "UID SEARCH SUBJECT first ANSWERED"), "* SEARCH 1\r\n"));
  auto copy = c.run("e5", "UID COPY 1:2 Archive/2024");
  CHECK(has(copy, "e5 OK [COPYUID "));
  CHECK(has(copy, " 1:2 1:2] "));
  auto expunge = c.run("e6", "EXPUNGE");
  CHECK(has(expunge, "* 3 EXPUNGE\r\n* 2 EXPUNGE\r\n"));
  auto status = c.run("e7", "STATUS Archive/2024 (MESSAGES UIDNEXT UNSEEN)");
  CHECK(has(status, "* STATUS Archive/2024 (MESSAGES 2 UIDNEXT 3 UNSEEN 0)"));
  auto move = c.run("e8", "MOVE 1 Archive/2024");
  CHECK(has(move, "* OK [COPYUID "));
  CHECK(has(move, "* 1 EXPUNGE\r\n"));
  CHECK(has(c.run("e9", "RENAME Archive Old"), "e9 OK"));
  CHECK(has(c.run("f1", "STATUS Old/2024 (MESSAGES)"), "(MESSAGES 3)"));
  CHECK(has(c.run("f2", "DELETE Old"), "f2 NO [HASCHILDREN]"));
  CHECK(has(c.run("f3", "FROBNICATE"), "f3 BAD unknown command"));
  auto logout = c.run("f4", "LOGOUT");
  CHECK(has(logout, "* BYE "));
  CHECK(has(logout, "f4 OK"));
  CHECK(c.closed());
}

TEST_CASE("serve: sessions of one user see each other's changes at their next command", "[integration][serve]") {
  OwnServer server(temp_dir() + "/own");
  Wire a(server.port()), b(server.port());
  REQUIRE(has(a.run("a", "LOGIN alice alice-secret"), "a OK"));
  REQUIRE(has(b.run("b", "LOGIN alice alice-secret"), "b OK"));
  REQUIRE(has(a.run("a1", "APPEND INBOX {3+}\r\none"), "a1 OK"));
  REQUIRE(has(a.run("a2", "SELECT INBOX"), "* 1 EXISTS"));
  REQUIRE(has(b.run("b1", "SELECT INBOX"), "* 1 EXISTS"));

  REQUIRE(has(b.run("b2", "APPEND INBOX {3+}\r\ntwo"), "b2 OK"));
  CHECK(has(a.run("a3", "NOOP"), "* 2 EXISTS\r\n"));
  REQUIRE(has(b.run("b3", "STORE 1 +FLAGS.SILENT (\\Flagged)"), "b3 OK"));
  CHECK(has(a.run("a4", "NOOP"), "* 1 FETCH (UID 1 FLAGS (\\Flagged \\Recent))"));

  // An expunge by b: a's FETCH still answers by the old numbers (RFC 9051 §7.5.1), its NOOP then says EXPUNGE.
  REQUIRE(has(b.run("b4", "STORE 1 +FLAGS.SILENT (\\Deleted)"), "b4 OK"));
  REQUIRE(has(b.run("b5", "EXPUNGE"), "* 1 EXPUNGE"));
  auto fetch = a.run("a5", "FETCH 2 (UID)");
  CHECK(has(fetch, "* 2 FETCH (UID 2)"));
  CHECK_FALSE(has(fetch, "EXPUNGE"));
  auto gone = a.run("a6", "FETCH 1 (UID)");
  CHECK(has(gone, "a6 OK"));  // nothing for the message another session expunged
  CHECK_FALSE(has(gone, "FETCH (UID 1)"));
  CHECK(has(a.run("a7", "NOOP"), "* 1 EXPUNGE\r\n"));
  CHECK(has(a.run("a8", "FETCH 1 (UID)"), "* 1 FETCH (UID 2)"));
  // The selected mailbox deleted by another session ends this one (RFC 9051 §7.1.5).
  REQUIRE(has(b.run("b6", "CREATE Temp"), "b6 OK"));
  REQUIRE(has(a.run("a9", "SELECT Temp"), "a9 OK"));
  REQUIRE(has(b.run("b7", "DELETE Temp"), "b7 OK"));
  CHECK(has(a.run("a10", "NOOP"), "* BYE"));
}

TEST_CASE("serve: limits before login and bad logins get clear answers", "[integration][serve]") {
  OwnServer server(temp_dir() + "/own");
  {
    Wire c(server.port());
    c.send(std::string(70000, 'a'));  // no line end, longer than a line may be before login
    auto bye = c.until("* BYE");
    CHECK(has(bye, "* BYE line longer than"));
  }
  {
    Wire c(server.port());
    // A synchronizing literal larger than a login needs: refused before the client sends it, and the session goes on.
    CHECK(has(c.run("a1", "LOGIN {100000}"), "a1 NO [TOOBIG] literal of 100000 bytes exceeds the limit"));
    CHECK(has(c.run("a2", "NOOP"), "a2 OK"));
    // A non-synchronizing one is on its way already: the stream cannot be resynchronised (RFC 7888 §4).
    c.send("a3 LOGIN {100000+}\r\n");
    CHECK(has(c.until("* BYE"), "exceeds the limit"));
  }
  {
    Wire c(server.port());
    // A {0} synchronizing literal still gets its "+" (the client waits for it).
    c.send("a1 LOGIN alice {0}\r\n");
    CHECK(has(c.until("+ "), "+ "));
    c.send("\r\n");
    CHECK(has(c.until("a1 "), "a1 NO [AUTHENTICATIONFAILED]"));
    auto started = std::chrono::steady_clock::now();
    CHECK(has(c.run("a2", "LOGIN nobody x"), "a2 NO [AUTHENTICATIONFAILED]"));
    CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(900));  // the second failure waits longer
    CHECK(has(c.run("a3", "AUTHENTICATE PLAIN AGFsaWNlAGFsaWNlLXNlY3JldA=="), "a3 OK [CAPABILITY"));
  }
  {
    // Commands sent with the LOGIN, before its answer, are answered after it.
    Wire c(server.port());
    c.send("a1 LOGIN alice alice-secret\r\na2 SELECT INBOX\r\na3 LOGOUT\r\n");
    auto answers = c.until("a3 ");
    CHECK(has(answers, "a1 OK"));
    CHECK(has(answers, "a2 OK [READ-WRITE]"));
    CHECK(has(answers, "a3 OK"));
  }
  {
    Wire c(server.port());
    c.send("a1 AUTHENTICATE PLAIN\r\n");
    CHECK(has(c.until("+ "), "+ "));
    c.send("*\r\n");
    CHECK(has(c.until("a1 "), "a1 BAD AUTHENTICATE cancelled"));
    c.send("a2 AUTHENTICATE PLAIN\r\n");
    CHECK(has(c.until("+ "), "+ "));
    c.send("YWxpY2UAYWxpY2UAYWxpY2Utc2VjcmV0\r\n");  // "alice\0alice\0alice-secret"
    CHECK(has(c.until("a2 "), "a2 OK"));
  }
  CHECK(has(server.log(), "failed login for nobody"));
}

TEST_CASE("serve: the full corpus migrates from Dovecot byte for byte with CR CR LF", "[integration][serve][corpus]") {
  std::string dir = temp_dir();
  auto source = Dovecot::start(dir + "/source", DovecotOptions{{{"alice", "alice-secret"}}, '/'});
  REQUIRE(source);
  auto filled = fill_standard_mailbox(**source, "alice", 100000);
  REQUIRE(filled);
  REQUIRE(filled->messages == 6046 + 7);
  OwnServer target(dir + "/own");
  std::vector<std::string> endpoints = {"--from", (*source)->url("alice", false), "--to", target.url("alice"),
                                        "--from-password-file", dir + "/own/alice.password",
                                        "--to-password-file", dir + "/own/alice.password", "--no-starttls", "--quiet"};
  auto migrate = with_args(endpoints, {"--state", dir + "/state.db"});
  migrate.insert(migrate.begin(), "migrate");
  auto run = run_mailferry(migrate);
  INFO(run.out << run.err << target.log());
  REQUIRE(run.exit_code == 0);
  // Dovecot as the target turns CR CR LF into CR LF; mailferry serve keeps the bytes: no difference at all.
  auto verify_args = endpoints;
  verify_args.insert(verify_args.begin(), "verify");
  auto v = run_json(verify_args, dir + "/verify.json");
  std::size_t matched = 0, differences = 0;
  for (const auto& f : v["folders"]) {
    matched += f["matched"].get<std::size_t>();
    differences += f["differences"].size();
  }
  CHECK(v["identical"] == true);
  CHECK(matched == filled->messages);
  CHECK(differences == 0);
  auto again = run_mailferry(migrate);
  CHECK(again.exit_code == 0);
  CHECK(has(again.out, "0 messages (0 B) copied"));

  // What was acknowledged is there after the server restarts (its users file and mail in the same data directory).
  CHECK(target.stop() == 0);
  OwnServer reopened(dir + "/own", {});
  for (auto& a : verify_args)
    if (a == target.url("alice")) a = reopened.url("alice");
  auto after = run_mailferry(verify_args);
  INFO(after.out << after.err);
  CHECK(after.exit_code == 0);
}

TEST_CASE("serve: SIGTERM says BYE to open sessions and the server exits 0", "[integration][serve]") {
  OwnServer server(temp_dir() + "/own");
  Wire idle(server.port());
  REQUIRE(has(idle.run("a", "LOGIN alice alice-secret"), "a OK"));
  REQUIRE(has(idle.run("b", "SELECT INBOX"), "b OK"));
  ::kill(server.pid(), SIGTERM);
  CHECK(has(idle.until("* BYE"), "* BYE the server is shutting down"));
  CHECK(idle.closed());
  CHECK(server.wait() == 0);
  CHECK(has(server.log(), ": stopped"));
}

TEST_CASE("serve: LMTP delivers to each known recipient and says so for each", "[integration][serve][lmtp]") {
  std::string dir = temp_dir();
  OwnServer server(dir + "/own", {"alice", "bob"}, {"--lmtp", "127.0.0.1:0"});
  REQUIRE(server.ports().size() == 2);
  {
    Wire imap(server.port());
    REQUIRE(has(imap.run("a", "LOGIN bob bob-secret"), "a OK"));
    REQUIRE(has(imap.run("b", "CREATE Lists"), "b OK"));
  }
  Wire lmtp(server.ports()[1], "220 ");
  CHECK(has(lmtp.greeting, "220 "));
  lmtp.send("MAIL FROM:<x@example.org>\r\n");
  CHECK(has(lmtp.until("503"), "503 5.5.1 LHLO first"));
  lmtp.send("LHLO mta.example.org\r\n");
  CHECK(has(lmtp.until("250 "), "250-PIPELINING"));
  // Pipelined, as Postfix sends them (RFC 2920).
  lmtp.send("MAIL FROM:<sender@example.org> SIZE=100\r\nRCPT TO:<alice@example.org>\r\n"
            "RCPT TO:<nobody@example.org>\r\nRCPT TO:<bob+Lists@example.org>\r\nDATA\r\n");
  auto replies = lmtp.until("354");
  CHECK(has(replies, "250 2.1.0"));
  CHECK(has(replies, "550 5.1.1 <nobody@example.org> no such user here"));
  std::string message = "Subject: lmtp\r\n\r\n..a line that began with a dot\r\nCR CR LF\r\r\n";
  lmtp.send("Subject: lmtp\r\n\r\n...a line that began with a dot\r\nCR CR LF\r\r\n.\r\n");
  auto delivered = lmtp.until("250 2.0.0 <bob+Lists@example.org>");
  CHECK(has(delivered, "250 2.0.0 <alice@example.org> delivered to INBOX"));  // one reply per recipient (RFC 2033 §4.2)
  CHECK(has(delivered, "<bob+Lists@example.org> delivered to Lists"));
  lmtp.send("QUIT\r\n");
  CHECK(has(lmtp.until("221"), "221"));

  Wire imap(server.port());
  REQUIRE(has(imap.run("a", "LOGIN alice alice-secret"), "a OK"));
  REQUIRE(has(imap.run("b", "SELECT INBOX"), "* 1 EXISTS"));
  auto fetched = imap.run("c", "FETCH 1 BODY.PEEK[]");
  CHECK(has(fetched, "BODY[] {" + std::to_string(message.size()) + "}\r\n" + message + ")"));  // unstuffed, byte for byte
  CHECK(has(server.log(), "delivered to alice (INBOX"));
}

TEST_CASE("serve: a message LMTP acknowledged survives SIGKILL", "[integration][serve][lmtp]") {
  std::string dir = temp_dir();
  std::size_t acknowledged = 0;
  {
    OwnServer server(dir + "/own", {"alice"}, {"--lmtp", "127.0.0.1:0"});
    Wire lmtp(server.ports()[1], "220 ");
    lmtp.send("LHLO mta\r\n");
    lmtp.until("250 ");
    std::string batch;
    for (int i = 0; i < 40; ++i)
      batch += "MAIL FROM:<s@x.org>\r\nRCPT TO:<alice>\r\nDATA\r\nSubject: " + std::to_string(i) + "\r\n\r\nbody\r\n.\r\n";
    lmtp.send(batch);
    for (; acknowledged < 10; ++acknowledged) REQUIRE(has(lmtp.until("250 2.0.0"), "delivered"));
    ::kill(server.pid(), SIGKILL);  // in the middle of the others
    CHECK(server.wait() == 128 + SIGKILL);
  }
  OwnServer again(dir + "/own", {});
  Wire imap(again.port());
  REQUIRE(has(imap.run("a", "LOGIN alice alice-secret"), "a OK"));
  auto status = imap.run("b", "STATUS INBOX (MESSAGES)");
  auto at = status.find("MESSAGES ");
  REQUIRE(at != std::string::npos);
  CHECK(std::stoul(status.substr(at + 9)) >= acknowledged);
}

TEST_CASE("serve: LIST-EXTENDED selects and returns what RFC 5258 and RFC 5819 ask", "[integration][serve]") {
  OwnServer server(temp_dir() + "/own");
  Wire c(server.port());
  REQUIRE(has(c.run("a", "LOGIN alice alice-secret"), "LIST-STATUS"));
  REQUIRE(has(c.run("b", "CREATE Sent (USE (\\Sent))"), "b OK"));
  REQUIRE(has(c.run("c", "CREATE Work/Reports"), "c OK"));
  REQUIRE(has(c.run("d", "SUBSCRIBE Work/Reports"), "d OK"));
  REQUIRE(has(c.run("e", "SUBSCRIBE Gone"), "e OK"));
  REQUIRE(has(c.run("f", "APPEND INBOX {5+}\r\nhello"), "f OK"));
  // LIST-STATUS: a STATUS after each selectable mailbox's LIST line.
  auto status = c.run("g", "LIST \"\" (INBOX Sent) RETURN (STATUS (MESSAGES UNSEEN) SPECIAL-USE)");
  CHECK(has(status, "* LIST (\\HasNoChildren) \"/\" INBOX\r\n* STATUS INBOX (MESSAGES 1 UNSEEN 1)\r\n"));
  CHECK(has(status, "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n* STATUS Sent (MESSAGES 0 UNSEEN 0)\r\n"));
  // SUBSCRIBED selection: a subscribed name that does not exist is \NonExistent.
  auto subscribed = c.run("h", "LIST (SUBSCRIBED) \"\" *");
  CHECK(has(subscribed, "* LIST (\\NonExistent \\Subscribed) \"/\" Gone\r\n"));
  CHECK(has(subscribed, "* LIST (\\HasNoChildren \\Subscribed) \"/\" Work/Reports\r\n"));
  CHECK_FALSE(has(subscribed, "\" INBOX\r\n"));
  // RECURSIVEMATCH: the parent is listed for its subscribed child that "%" does not reach.
  CHECK(has(c.run("i", "LIST (SUBSCRIBED RECURSIVEMATCH) \"\" %"),
            "* LIST (\\HasChildren) \"/\" Work (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"));
  CHECK(has(c.run("j", "LIST (SPECIAL-USE) \"\" *"), "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\nj OK"));
  CHECK(has(c.run("k", "LIST (RECURSIVEMATCH) \"\" *"), "k BAD"));
  CHECK(has(c.run("l", "LIST \"\" * RETURN (FLAGS)"), "l BAD"));
  CHECK(has(c.run("m", "LIST \"\" \"\""), "* LIST (\\Noselect) \"/\" \"\""));
}

TEST_CASE("serve: SEARCH RETURN answers ESEARCH as RFC 4731 asks", "[integration][serve]") {
  OwnServer server(temp_dir() + "/own");
  Wire c(server.port());
  REQUIRE(has(c.run("a", "LOGIN alice alice-secret"), "ESEARCH"));
  for (int i = 0; i < 4; ++i) REQUIRE(has(c.run("b" + std::to_string(i), "APPEND INBOX {1+}\r\nx"), " OK"));
  REQUIRE(has(c.run("c", "SELECT INBOX"), "c OK"));
  REQUIRE(has(c.run("d", "STORE 2 +FLAGS (\\Deleted)"), "d OK"));
  REQUIRE(has(c.run("e", "EXPUNGE"), "e OK"));
  CHECK(has(c.run("f", "SEARCH RETURN (MIN MAX COUNT) ALL"), "* ESEARCH (TAG \"f\") MIN 1 MAX 3 COUNT 3\r\n"));
  CHECK(has(c.run("g", "UID SEARCH RETURN () ALL"), "* ESEARCH (TAG \"g\") UID ALL 1,3:4\r\n"));
  CHECK(has(c.run("h", "SEARCH RETURN (MIN COUNT) 1000"), "* ESEARCH (TAG \"h\") COUNT 0\r\n"));
  CHECK(has(c.run("i", "SEARCH RETURN (SAVES) ALL"), "i BAD unknown SEARCH return option"));
  CHECK(has(c.run("j", "SEARCH ALL"), "* SEARCH 1 2 3\r\n"));  // without RETURN, as RFC 3501 answers
}
