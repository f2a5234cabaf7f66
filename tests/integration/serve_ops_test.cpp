// mailferry serve as an administrator runs it: a settings file, users
// changed while it runs, an LMTP Unix socket, a certificate renewed with
// SIGHUP, failed logins slowed across connections, and clients that
// misbehave at scale (many connections that never log in, a literal cut off).
#include "tests/integration/harness.h"
#include "tests/integration/wire.h"

#include "core/atomic_file.h"

#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <thread>

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::test;

namespace {

// What a shell command prints on stdout.
std::string shell_output(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  REQUIRE(pipe);
  std::string out;
  char chunk[4096];
  while (std::size_t n = std::fread(chunk, 1, sizeof chunk, pipe.get())) out.append(chunk, n);
  return out;
}

// A self-signed certificate for 127.0.0.1 (CN names it apart): DIR/NAME.pem and DIR/NAME.key.
void make_certificate(const std::string& dir, const std::string& name) {
  std::string command = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout '" + dir +
                        "/" + name + ".key' -out '" + dir + "/" + name + ".pem' -days 2 -subj /CN=" + name +
                        " -addext subjectAltName=IP:127.0.0.1 2>/dev/null";
  REQUIRE(std::system(command.c_str()) == 0);
}

// The subject of the certificate a TLS listener presents (starttls: after IMAP's STARTTLS).
std::string presented_subject(std::uint16_t port, bool starttls) {
  return shell_output("openssl s_client -connect 127.0.0.1:" + std::to_string(port) +
                      (starttls ? " -starttls imap" : "") +
                      " </dev/null 2>/dev/null | openssl x509 -noout -subject 2>/dev/null");
}

void wait_for_log(const OwnServer& server, const std::string& text) {
  for (int i = 0; i < 500 && !has(server.log(), text); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  INFO(server.log());
  REQUIRE(has(server.log(), text));
}

std::uint64_t rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
  return 0;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

TEST_CASE("serve: a settings file configures the server and flags override it while users change as it runs",
          "[integration][serve][ops]") {
  std::string dir = temp_dir();
  std::string socket = dir + "/lmtp.sock";
  std::string config = dir + "/serve.toml";
  // data and imap are given as flags by OwnServer too: the flags win.
  REQUIRE(write_file_atomically(config, "# mailferry serve --config\n"
                                        "data = \"" + dir + "/own/data\"\n"
                                        "imap = \"127.0.0.1:1\"\n"
                                        "lmtp = [\"" + socket + "\"]\n"
                                        "lmtp_socket_mode = \"0600\"\n"
                                        "append_limit = 123456\n"));
  OwnServer server(dir + "/own", {"alice"}, {"--config", config});
  {
    Wire c(server.port());
    CHECK(has(c.run("a", "LOGIN alice alice-secret"), "APPENDLIMIT=123456"));
    // A message over the limit is refused before its bytes come (no "+"), and the session goes on (RFC 7889 §4).
    CHECK(has(c.run("b", "APPEND INBOX {123457}"), "b NO [TOOBIG]"));
    // MULTIAPPEND is one command: its second message over the limit stores neither.
    c.send("c APPEND INBOX {5}\r\n");
    REQUIRE(has(c.until("+ "), "+ "));
    c.send("hello {200000}\r\n");
    CHECK(has(c.until("c "), "c NO [TOOBIG]"));
    CHECK(has(c.run("d", "STATUS INBOX (MESSAGES)"), "MESSAGES 0"));
    CHECK(has(c.run("e", "APPEND INBOX {123456+}\r\n" + std::string(123456, 'x')), "e OK [APPENDUID"));
    CHECK(has(c.run("f", "APPEND INBOX {123457+}"), "* BYE"));  // LITERAL+: already on its way
  }
  struct stat st {};
  REQUIRE(::stat(socket.c_str(), &st) == 0);
  CHECK(S_ISSOCK(st.st_mode));
  CHECK((st.st_mode & 0777) == 0600);

  // LMTP over the Unix socket, as Postfix's lmtp:unix: transport delivers.
  {
    Wire lmtp(socket, "220 ");
    lmtp.send("LHLO mta\r\nMAIL FROM:<s@example.org>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n");
    lmtp.until("354");
    lmtp.send("Subject: over the socket\r\n\r\nhello\r\n.\r\n");
    CHECK(has(lmtp.until("250 2.0.0"), "delivered to INBOX"));
    // Over append_limit: refused at the end of DATA, for each recipient.
    lmtp.send("MAIL FROM:<s@example.org>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n");
    lmtp.until("354");
    lmtp.send("Subject: big\r\n\r\n" + std::string(130000, 'y') + "\r\n.\r\n");
    CHECK(has(lmtp.until("552"), "552"));
  }
  CHECK(has(server.log(), "lmtp unix:" + socket + ": delivered to alice"));

  // A user added while the server runs (through the same settings file) logs in at once; a
  // changed password replaces the old one at once, also for a login the server remembered;
  // a deleted user cannot log in any more.
  REQUIRE(write_file_atomically(dir + "/carol.password", "first\n"));
  auto added = run_mailferry({"serve", "user", "add", "--config", config, "carol", "--password-file", dir + "/carol.password"});
  INFO(added.err);
  REQUIRE(added.exit_code == 0);
  {
    Wire c(server.port());
    CHECK(has(c.run("a", "LOGIN carol first"), "a OK"));
  }
  REQUIRE(write_file_atomically(dir + "/carol.password", "second\n"));
  REQUIRE(run_mailferry({"serve", "user", "passwd", "--config", config, "carol", "--password-file", dir + "/carol.password"})
              .exit_code == 0);
  {
    Wire c(server.port());
    CHECK(has(c.run("a", "LOGIN carol first"), "a NO [AUTHENTICATIONFAILED]"));
    CHECK(has(c.run("b", "LOGIN carol second"), "b OK"));
  }
  REQUIRE(run_mailferry({"serve", "user", "del", "--config", config, "carol"}).exit_code == 0);
  {
    Wire c(server.port());
    CHECK(has(c.run("a", "LOGIN carol second"), "a NO [AUTHENTICATIONFAILED]"));
  }
  CHECK(server.stop() == 0);
  CHECK(::stat(socket.c_str(), &st) != 0);  // the socket goes with the server
}

TEST_CASE("serve: a settings file with a mistake stops the start with its line", "[integration][serve][ops]") {
  std::string dir = temp_dir();
  REQUIRE(write_file_atomically(dir + "/serve.toml", "data = \"" + dir + "\"\nimap = \"127.0.0.1:0\"\nplaintext = true\n"));
  auto run = run_mailferry({"serve", "--config", dir + "/serve.toml"});
  CHECK(run.exit_code == 2);
  CHECK(has(run.err, "unknown setting 'plaintext'"));
  CHECK(has(run.err, "serve.toml line 3"));
  // The sample in the repository is a valid file (its paths are the administrator's to make).
  auto sample = run_mailferry({"serve", "--config", std::string(MF_SOURCE_DIR) + "/docs/examples/serve.toml", "--data",
                               dir + "/data", "--imap", "127.0.0.1:0", "--imaps", "127.0.0.1:1", "--tls-cert",
                               dir + "/none.pem"});
  CHECK(sample.exit_code == 5);  // past the settings: the certificate is what is missing
  CHECK(has(sample.err, "none.pem"));
}

TEST_CASE("serve: SIGHUP puts a renewed certificate in place for new connections", "[integration][serve][ops][tls]") {
  std::string dir = temp_dir();
  make_certificate(dir, "first");
  make_certificate(dir, "second");
  for (const char* ext : {".pem", ".key"})
    std::filesystem::copy_file(dir + "/first" + ext, dir + "/live" + ext);
  OwnServer server(dir + "/own", {"alice"},
                   {"--imaps", "127.0.0.1:0", "--tls-cert", dir + "/live.pem", "--tls-key", dir + "/live.key"});
  REQUIRE(server.ports().size() == 2);
  CHECK(has(presented_subject(server.ports()[1], false), "CN = first"));
  CHECK(has(presented_subject(server.port(), true), "CN = first"));  // STARTTLS on the plain listener

  // A session that is open keeps working across the reload.
  Wire open(server.port());
  REQUIRE(has(open.run("a", "LOGIN alice alice-secret"), "a OK"));
  for (const char* ext : {".pem", ".key"})
    std::filesystem::copy_file(dir + "/second" + ext, dir + "/live" + ext, std::filesystem::copy_options::overwrite_existing);
  ::kill(server.pid(), SIGHUP);
  wait_for_log(server, "tls: new connections use");
  CHECK(has(presented_subject(server.ports()[1], false), "CN = second"));
  CHECK(has(presented_subject(server.port(), true), "CN = second"));
  CHECK(has(open.run("b", "NOOP"), "b OK"));

  // A key that does not match the certificate: the working pair stays.
  std::filesystem::copy_file(dir + "/first.key", dir + "/live.key", std::filesystem::copy_options::overwrite_existing);
  ::kill(server.pid(), SIGHUP);
  wait_for_log(server, "the certificate stays as it was");
  CHECK(has(presented_subject(server.ports()[1], false), "CN = second"));
  CHECK(server.stop() == 0);
}

TEST_CASE("serve: failed logins slow down the guesser's other connections and the guessed user's",
          "[integration][serve][ops]") {
  OwnServer server(temp_dir() + "/own", {"alice", "bob"});
  {
    Wire guesser(server.port());
    CHECK(has(guesser.run("a", "LOGIN bob wrong"), "a NO [AUTHENTICATIONFAILED]"));
    CHECK(has(guesser.run("b", "LOGIN bob wrong-again"), "b NO [AUTHENTICATIONFAILED]"));
  }
  // A new connection from the same address waits before its password is checked (two
  // failures: 1 s), even with the right password for a user nobody guessed at.
  Wire other(server.port());
  auto started = std::chrono::steady_clock::now();
  CHECK(has(other.run("a", "LOGIN alice alice-secret"), "a OK"));
  CHECK(seconds_since(started) >= 0.9);
  // That login cleared the address's count, not bob's: bob's own password waits too.
  Wire bob(server.port());
  started = std::chrono::steady_clock::now();
  CHECK(has(bob.run("a", "LOGIN bob bob-secret"), "a OK"));
  CHECK(seconds_since(started) >= 0.9);
  // Both cleared: no wait.
  Wire again(server.port());
  started = std::chrono::steady_clock::now();
  CHECK(has(again.run("a", "LOGIN bob bob-secret"), "a OK"));
  CHECK(seconds_since(started) < 0.5);
}

TEST_CASE("serve: 1000 connections that never log in cost little memory and block nobody",
          "[integration][serve][ops]") {
  OwnServer server(temp_dir() + "/own");
  std::uint64_t before = rss_kib(server.pid());
  std::vector<std::unique_ptr<Wire>> idle;
  for (int i = 0; i < 1000; ++i) {
    idle.push_back(std::make_unique<Wire>(server.port()));
    REQUIRE(has(idle.back()->greeting, "* OK"));
  }
  std::uint64_t after = rss_kib(server.pid());
  INFO("RSS " << before << " KiB before, " << after << " KiB with 1,000 connections");
  CHECK(after - before < 64 * 1000);  // under 64 KB each (the bound for idle connections)
  Wire user(server.port());
  auto started = std::chrono::steady_clock::now();
  CHECK(has(user.run("a", "LOGIN alice alice-secret"), "a OK"));
  CHECK(has(user.run("b", "SELECT INBOX"), "b OK"));
  CHECK(seconds_since(started) < 2);
  idle.clear();
  CHECK(has(user.run("c", "NOOP"), "c OK"));
}

TEST_CASE("serve: a client that sends part of a literal and disconnects leaves nothing behind",
          "[integration][serve][ops]") {
  OwnServer server(temp_dir() + "/own");
  for (std::string marker : {"{1000}", "{1000+}"}) {
    Wire c(server.port());
    REQUIRE(has(c.run("a", "LOGIN alice alice-secret"), "a OK"));
    c.send("b APPEND INBOX " + marker + "\r\n");
    if (marker == "{1000}") REQUIRE(has(c.until("+ "), "+ "));
    c.send("Subject: cut off\r\n\r\n" + std::string(400, 'x'));
  }  // closed here, 600 bytes short
  Wire check(server.port());
  REQUIRE(has(check.run("a", "LOGIN alice alice-secret"), "a OK"));
  CHECK(has(check.run("b", "STATUS INBOX (MESSAGES)"), "MESSAGES 0"));
  CHECK(has(check.run("c", "APPEND INBOX {12+}\r\nSubject: x\r\n"), "c OK [APPENDUID"));
  CHECK(has(check.run("d", "STATUS INBOX (MESSAGES)"), "MESSAGES 1"));
}

TEST_CASE("serve: quotas refuse an APPEND before its message comes and LMTP says mailbox full",
          "[integration][serve][ops][quota]") {
  std::string dir = temp_dir();
  OwnServer server(dir + "/own", {"alice", "bob"}, {"--quota", "2048", "--lmtp", "127.0.0.1:0"});
  Wire c(server.port());
  CHECK(has(c.run("a", "LOGIN alice alice-secret"), "QUOTA=RES-STORAGE"));
  CHECK(has(c.run("b", "APPEND INBOX {1500+}\r\n" + std::string(1500, 'a')), "b OK"));
  auto roots = c.run("c", "GETQUOTAROOT INBOX");
  CHECK(has(roots, "* QUOTAROOT INBOX \"\"\r\n"));
  CHECK(has(roots, "* QUOTA \"\" (STORAGE 2 2)\r\n"));  // 1500 bytes used of 2048, in KiB (RFC 9208 §5.1)
  CHECK(has(c.run("d", "GETQUOTA \"\""), "* QUOTA \"\" (STORAGE 2 2)"));
  CHECK(has(c.run("e", "SETQUOTA \"\" (STORAGE 100000)"), "e NO [NOPERM]"));
  // Does not fit: refused instead of "+" (the client sends nothing), and the session goes on.
  CHECK(has(c.run("f", "APPEND INBOX {1000}"), "f NO [OVERQUOTA]"));
  CHECK(has(c.run("g", "SELECT INBOX"), "g OK"));
  // COPY over the quota is refused; MOVE is not (it gives the space back).
  CHECK(has(c.run("h", "CREATE Keep"), "h OK"));
  CHECK(has(c.run("i", "COPY 1 Keep"), "i NO [OVERQUOTA]"));
  CHECK(has(c.run("j", "MOVE 1 Keep"), "j OK"));
  CHECK(has(c.run("k", "STATUS Keep (MESSAGES)"), "MESSAGES 1"));

  // LMTP: alice is full (552 5.2.2, as Dovecot answers by default), bob is not.
  Wire lmtp(server.ports()[1], "220 ");
  lmtp.send("LHLO mta\r\nMAIL FROM:<s@example.org>\r\nRCPT TO:<alice>\r\nRCPT TO:<bob>\r\nDATA\r\n");
  lmtp.until("354");
  lmtp.send("Subject: x\r\n\r\n" + std::string(1000, 'z') + "\r\n.\r\n");
  auto replies = lmtp.until("250 2.0.0 <bob>");
  CHECK(has(replies, "552 5.2.2 <alice> mailbox full"));

  // The administrator gives alice more room: the running server uses it at once.
  auto raised = run_mailferry({"serve", "user", "quota", "--data", server.data(), "alice", "100000"});
  INFO(raised.err);
  CHECK(raised.exit_code == 0);
  CHECK(has(raised.out, "alice: 1500 bytes used, quota 100000 bytes"));
  CHECK(has(c.run("l", "APPEND INBOX {1000+}\r\n" + std::string(1000, 'b')), "l OK [APPENDUID"));
  auto shown = run_mailferry({"serve", "user", "quota", "--data", server.data(), "alice", "default"});
  CHECK(has(shown.out, "alice: 2500 bytes used, no quota"));  // --data alone does not know the server's default
  CHECK(run_mailferry({"serve", "user", "quota", "--data", server.data(), "nobody"}).exit_code != 0);
}
