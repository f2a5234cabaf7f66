#include "tests/support/dovecot.h"

#include "core/atomic_file.h"
#include "core/base64.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace mf::test {
namespace fs = std::filesystem;
namespace {

// A connected socket to 127.0.0.1:port, or -1.
int connect_loopback(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
  ::close(fd);
  return -1;
}

bool port_open(std::uint16_t port) {
  int fd = connect_loopback(port);
  if (fd >= 0) ::close(fd);
  return fd >= 0;
}

// Ready means the greeting is the final one: until its auth process is up,
// Dovecot greets with "Waiting for authentication process to respond".
bool imap_ready(std::uint16_t port) {
  int fd = connect_loopback(port);
  if (fd < 0) return false;
  timeval tv{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[512];
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  return n > 0 && std::string_view(buf, static_cast<std::size_t>(n)).find("[CAPABILITY") != std::string_view::npos;
}

std::string read_text_or_empty(const std::string& path) {
  auto text = read_file(path);
  return text ? *text : std::string();
}

std::string mailbox_config(const std::vector<DovecotMailbox>& boxes) {
  std::string out;
  for (const auto& b : boxes) {
    out += "  mailbox \"" + b.name + "\" {\n    auto = create\n";
    if (!b.special_use.empty()) out += "    special_use = " + b.special_use + "\n";
    out += "  }\n";
  }
  return out;
}

int run_quietly(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()); }

std::string quota_config(std::uint64_t max_mail_size, bool announce) {
  if (max_mail_size == 0) return "";
  return (announce ? "imap_capability = +APPENDLIMIT=" + std::to_string(max_mail_size) + "\n" : std::string()) +
         "mail_plugins = $mail_plugins quota\nplugin {\n  quota = count:User quota\n  quota_vsizes = yes\n"
         "  quota_max_mail_size = " + std::to_string(max_mail_size) + "\n}\n";
}

}  // namespace

std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string Dovecot::url(const std::string& user, bool tls) const {
  return std::string(tls ? "imaps://" : "imap://") + user + "@127.0.0.1:" +
         std::to_string(tls ? imaps_port_ : imap_port_);
}

void Dovecot::fix_ownership() const {
  for (const char* sub : {"/mail", "/home"}) {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir_ + sub, ec); it != fs::recursive_directory_iterator(); ++it)
      (void)!::lchown(it->path().c_str(), mail_uid_, mail_gid_);
    (void)!::chown((dir_ + sub).c_str(), mail_uid_, mail_gid_);
  }
}

Result<std::unique_ptr<Dovecot>> Dovecot::start(const std::string& dir, DovecotOptions options) {
  std::unique_ptr<Dovecot> d(new Dovecot());
  d->dir_ = fs::absolute(dir).string();
  std::error_code ec;
  for (const char* sub : {"", "/run", "/state", "/mail", "/home"}) fs::create_directories(d->dir_ + sub, ec);
  // Dovecot refuses to run mail processes as root; as root, mail belongs to nobody.
  d->mail_uid_ = ::getuid() == 0 ? 65534 : ::getuid();
  d->mail_gid_ = ::getuid() == 0 ? 65534 : ::getgid();
  ::chmod(d->dir_.c_str(), 0755);  // the mail user must reach its files (mkdtemp makes 0700)
  d->imap_port_ = free_port();
  d->imaps_port_ = free_port();
  while (d->imaps_port_ == d->imap_port_) d->imaps_port_ = free_port();
  if (options.pop3) {
    auto distinct = [&] {
      std::uint16_t p = free_port();
      while (p == d->imap_port_ || p == d->imaps_port_ || p == d->pop3_port_) p = free_port();
      return p;
    };
    d->pop3_port_ = distinct();
    d->pop3s_port_ = distinct();
  }

  if (!options.certificate_from.empty()) {
    for (const char* f : {"/cert.pem", "/key.pem"}) fs::copy_file(options.certificate_from + f, d->dir_ + f, ec);
    if (ec) return make_error(Errc::Io, "cannot copy the test certificate: " + ec.message(), d->dir_);
  } else if (run_quietly("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout '" + d->dir_ +
                  "/key.pem' -out '" + d->dir_ + "/cert.pem' -days 7 -subj /CN=localhost -addext "
                  "subjectAltName=DNS:localhost,IP:127.0.0.1") != 0)
    return make_error(Errc::Io, "openssl could not make a test certificate", d->dir_);

  std::string passwd;
  for (const auto& u : options.users) passwd += u.name + ":{PLAIN}" + u.password + "::::::\n";
  MF_CHECK(write_file_atomically(d->dir_ + "/passwd", passwd));
  std::string masters;
  for (const auto& u : options.master_users) masters += u.name + ":{PLAIN}" + u.password + "::::::\n";
  MF_CHECK(write_file_atomically(d->dir_ + "/master-passwd", masters));
  const std::string& D = d->dir_;
  std::string oauth_passdb;
  if (!options.oauth_key.empty()) {
    // The key dict holds the key base64-encoded at <azp>/<alg>/<kid>.
    fs::create_directories(D + "/oauth-keys/default/HS256", ec);
    MF_CHECK(write_file_atomically(D + "/oauth-keys/default/HS256/default", base64_encode(options.oauth_key)));
    MF_CHECK(write_file_atomically(D + "/oauth2.conf.ext", "introspection_mode = local\nlocal_validation_key_dict = "
                                                           "fs:posix:prefix=" + D + "/oauth-keys/\n"
                                                           "username_attribute = sub\n"));
    oauth_passdb = "passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = " + D +
                   "/oauth2.conf.ext\n}\n";
  }
  std::string conf = "base_dir = " + D + "/run\nstate_dir = " + D + "/state\nlog_path = " + D + "/dovecot.log\n" +
                     "protocols = imap" + std::string(options.pop3 ? " pop3" : "") + "\nlisten = 127.0.0.1\nssl = yes\nssl_cert = <" + D + "/cert.pem\nssl_key = <" +
                     D + "/key.pem\ndisable_plaintext_auth = no\nauth_mechanisms = plain login" +
                     (options.oauth_key.empty() ? "" : " oauthbearer xoauth2") + "\n" + oauth_passdb +
                     "first_valid_uid = 1\nmail_location = maildir:" + D + "/mail/%u\n" +
                     (options.fsync ? "" : "mail_fsync = never\n") +
                     // A master user's login continues to the user's own passdb entry (pass = yes).
                     "passdb {\n  driver = passwd-file\n  master = yes\n  pass = yes\n  args = scheme=PLAIN "
                     "username_format=%u " + D + "/master-passwd\n}\n" +
                     "passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u " + D +
                     "/passwd\n}\nuserdb {\n  driver = static\n  args = uid=" + std::to_string(d->mail_uid_) +
                     " gid=" + std::to_string(d->mail_gid_) + " home=" + D + "/home/%u\n}\n" +
                     quota_config(options.max_mail_size, options.announce_append_limit) +
                     (options.compress ? "protocol imap {\n  mail_plugins = $mail_plugins zlib imap_zlib\n}\n" : "") +
                     "namespace inbox {\n  inbox = yes\n  separator = " + std::string(1, options.separator) + "\n" +
                     (options.prefix.empty() ? "" : "  prefix = " + options.prefix + "\n") +
                     mailbox_config(options.mailboxes) + "}\nservice imap-login {\n  inet_listener imap {\n    port = " +
                     std::to_string(d->imap_port_) + "\n  }\n  inet_listener imaps {\n    port = " +
                     std::to_string(d->imaps_port_) + "\n    ssl = yes\n  }\n}\n" +
                     (options.pop3 ? "service pop3-login {\n  inet_listener pop3 {\n    port = " +
                                         std::to_string(d->pop3_port_) + "\n  }\n  inet_listener pop3s {\n    port = " +
                                         std::to_string(d->pop3s_port_) + "\n    ssl = yes\n  }\n}\n"
                                   : std::string());
  MF_CHECK(write_file_atomically(D + "/dovecot.conf", conf));
  d->fix_ownership();

  pid_t pid = ::fork();
  if (pid < 0) return make_error(Errc::Io, "fork failed");
  if (pid == 0) {
    ::setsid();
    int null = ::open("/dev/null", O_RDWR);  // hold no pipe of the parent's open
    for (int fd = 0; fd < 3; ++fd) ::dup2(null, fd);
    std::string config = D + "/dovecot.conf";
    ::execlp("dovecot", "dovecot", "-F", "-c", config.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  d->pid_ = pid;
  for (int i = 0; i < 200; ++i) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      d->pid_ = -1;
      std::string log = read_text_or_empty(D + "/dovecot.log");
      return make_error(Errc::Io, "dovecot exited at start (is dovecot-imapd installed?): " + log, D);
    }
    if (port_open(d->imaps_port_) && imap_ready(d->imap_port_)) return d;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return make_error(Errc::Temp, "dovecot did not open its ports within 5 s", D);
}

void Dovecot::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 200; ++i) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

Dovecot::~Dovecot() {
  if (!detached_) stop();
}

}  // namespace mf::test
