// A real Dovecot (Debian's dovecot-imapd) for tests and the demo: its own
// config in a directory, passwd-file users, a self-signed certificate for
// 127.0.0.1, plain IMAP and IMAPS on free loopback ports. Stopped by PID
// when the object dies.
#pragma once

#include "tests/support/imap_server.h"

#include "core/error.h"

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mf::test {

struct DovecotUser {
  std::string name;
  std::string password;
};

struct DovecotMailbox {
  std::string name;         // UTF-8, with the namespace's separator
  std::string special_use;  // "\Sent", ... or empty
};

struct DovecotOptions {
  std::vector<DovecotUser> users;
  char separator = '/';     // the namespace's hierarchy delimiter
  bool fsync = false;       // tests do not need the target's fsync
  std::string certificate_from;  // directory of another instance whose cert.pem/key.pem to use
  std::vector<DovecotMailbox> mailboxes;  // created at login, with their special-use attribute
  std::vector<DovecotUser> master_users;   // may log in as any user (SASL PLAIN authorization identity)
  std::uint64_t max_mail_size = 0;  // refuse larger messages (quota plugin)
  bool announce_append_limit = false;  // ...and say so as APPENDLIMIT=max_mail_size (Dovecot 2.3 does not itself)
  std::string prefix;               // the personal namespace's prefix, e.g. "INBOX."
  // Accept OAUTHBEARER and XOAUTH2 logins with JWTs (HS256, "sub" the user)
  // signed with this key, checked by Dovecot itself (introspection_mode = local).
  std::string oauth_key;
  bool compress = false;  // offer COMPRESS=DEFLATE (imap_zlib plugin)
  bool pop3 = false;      // also serve POP3 and POP3S (Debian's dovecot-pop3d)
};

class Dovecot : public ImapServer {
 public:
  // dir must not exist yet or be empty; it holds everything of this instance.
  [[nodiscard]] static Result<std::unique_ptr<Dovecot>> start(const std::string& dir, DovecotOptions options);
  ~Dovecot();
  Dovecot(const Dovecot&) = delete;
  Dovecot& operator=(const Dovecot&) = delete;

  void stop();
  // Leaves the server running after this object dies (the demo stops it by PID).
  void detach() { detached_ = true; }

  std::uint16_t imap_port() const override { return imap_port_; }
  std::uint16_t imaps_port() const { return imaps_port_; }
  std::uint16_t pop3_port() const { return pop3_port_; }    // 0 unless options.pop3
  std::uint16_t pop3s_port() const { return pop3s_port_; }
  pid_t pid() const { return pid_; }
  const std::string& dir() const { return dir_; }
  std::string ca_file() const { return dir_ + "/cert.pem"; }
  // The user's Maildir++ root.
  std::string maildir(const std::string& user) const { return dir_ + "/mail/" + user; }
  std::string url(const std::string& user, bool tls) const override;
  // Hands the mail tree to the mail user after files were written directly.
  void fix_ownership() const;

 private:
  Dovecot() = default;
  std::string dir_;
  std::uint16_t imap_port_ = 0, imaps_port_ = 0, pop3_port_ = 0, pop3s_port_ = 0;
  pid_t pid_ = -1;
  unsigned mail_uid_ = 0, mail_gid_ = 0;
  bool detached_ = false;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
std::uint16_t free_port();

}  // namespace mf::test
