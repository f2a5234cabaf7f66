#include "server/lmtp_session.h"

#include "core/log.h"
#include "imap/date.h"
#include "smtp/command.h"

#include <chrono>
#include <vector>

namespace mf::server {
namespace {

constexpr std::chrono::minutes kTimeout{5};  // RFC 5321 §4.5.3.2: at least 5 minutes a command

}  // namespace

Result<std::pair<std::string, std::string>> lmtp_recipient(const store::Users& users, std::string_view address) {
  if (users.exists(address)) return std::pair{std::string(address), std::string()};
  std::string_view local = address.substr(0, address.rfind('@'));
  std::string folder;
  if (auto plus = local.find('+'); plus != std::string_view::npos) {
    folder = std::string(local.substr(plus + 1));
    local = local.substr(0, plus);
  }
  std::string domain = address.rfind('@') == std::string_view::npos ? "" : std::string(address.substr(address.rfind('@')));
  for (const auto& candidate : {std::string(local) + domain, std::string(local)})
    if (users.exists(candidate)) return std::pair{candidate, folder};
  return make_error(Errc::NotFound, "no such user", std::string(address));
}

LmtpSession::LmtpSession(ServerContext& context, std::unique_ptr<net::Connection> conn)
    : context_(context), conn_(std::move(conn)) {
  conn_->set_timeout(kTimeout);
}

void LmtpSession::shut_down() {
  stopping_ = true;
  conn_->cancel();
}

void LmtpSession::reset() {
  sender_.reset();
  recipients_.clear();
  data_.reset();
}

net::Task<Result<void>> LmtpSession::deliver() {
  std::string message = std::move(data_->message());
  bool too_large = data_->too_large();
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  std::string internaldate = imap::format_date_time(imap::DateTime{now.count(), 0});
  // RFC 2033 §4.2: one reply per recipient that RCPT accepted, in order.
  for (const auto& r : recipients_) {
    if (too_large) {
      out_ += smtp::reply(552, "5.3.4 <" + r.address + "> message larger than " + std::to_string(context_.append_limit) + " bytes");
      continue;
    }
    if (message.empty()) {
      out_ += smtp::reply(554, "5.6.0 <" + r.address + "> an empty message is not stored");
      continue;
    }
    bool over_quota = false;
    auto stored = co_await context_.lane->run(r.user, [&](store::Mailstore& s) -> Result<std::pair<std::string, std::uint32_t>> {
      if (auto room = s.check_quota(message.size()); !room) {
        over_quota = room.error().code == Errc::NoSpace;
        return room.error();
      }
      auto box = r.folder.empty() ? s.mailbox("INBOX") : s.mailbox(r.folder);
      if (!box && box.error().code == Errc::NotFound) box = s.mailbox("INBOX");  // no such folder: the inbox
      if (!box) return box.error();
      MF_TRY(uids, s.append(box->id, {store::NewMessage{message, {}, internaldate}}));
      return std::pair{box->name, uids.front()};
    });
    if (over_quota) {
      // Permanent, as Dovecot's LMTP answers by default (quota_full_tempfail = no): the sender
      // learns at once; RFC 3463 §3.3 X.2.2 "mailbox full".
      log::warn("lmtp " + conn_->peer() + ": " + r.user + " is over quota: " + stored.error().message);
      out_ += smtp::reply(552, "5.2.2 <" + r.address + "> mailbox full (over quota)");
      continue;
    }
    if (!stored) {
      log::error("lmtp " + conn_->peer() + ": delivery to " + r.user + " failed: " + stored.error().describe());
      bool full = stored.error().code == Errc::NoSpace;
      out_ += full ? smtp::reply(452, "4.3.1 <" + r.address + "> out of space, try again later")
                   : smtp::reply(451, "4.3.0 <" + r.address + "> not delivered, try again later");
      continue;
    }
    log::info("lmtp " + conn_->peer() + ": delivered to " + r.user + " (" + stored->first + ", UID " +
              std::to_string(stored->second) + ", " + std::to_string(message.size()) + " bytes)");
    out_ += smtp::reply(250, "2.0.0 <" + r.address + "> delivered to " + stored->first);
  }
  reset();
  co_return Result<void>{};
}

net::Task<Result<void>> LmtpSession::handle(std::string_view line) {
  auto command = smtp::parse_command(line);
  if (!command) {
    out_ += smtp::reply(500, "5.5.2 " + command.error().message);
    co_return Result<void>{};
  }
  const std::string& verb = command->verb;
  if (verb == "LHLO") {  // RFC 2033 §4.1: LHLO, not HELO or EHLO
    greeted_ = true;
    reset();
    out_ += smtp::reply_lines(250, {"mailferry", "PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME",
                                    "SIZE " + std::to_string(context_.append_limit)});
  } else if (verb == "HELO" || verb == "EHLO") {
    out_ += smtp::reply(500, "5.5.1 this is LMTP: LHLO (RFC 2033 §4.1)");
  } else if (verb == "NOOP") {
    out_ += smtp::reply(250, "2.0.0 OK");
  } else if (verb == "RSET") {
    reset();
    out_ += smtp::reply(250, "2.0.0 OK");
  } else if (verb == "QUIT") {
    out_ += smtp::reply(221, "2.0.0 bye");
    quit_ = true;
  } else if (verb == "VRFY") {
    out_ += smtp::reply(252, "2.5.0 not verified, but a RCPT will tell");
  } else if (!greeted_) {
    out_ += smtp::reply(503, "5.5.1 LHLO first");
  } else if (verb == "MAIL") {
    auto path = smtp::parse_path(command->argument, "FROM", true);
    if (sender_) out_ += smtp::reply(503, "5.5.1 a MAIL is in progress (RSET first)");
    else if (!path) out_ += smtp::reply(501, "5.1.7 " + path.error().message);
    else {
      std::uint64_t size = 0;
      for (const auto& p : path->parameters)
        if (p.size() > 5 && (p.compare(0, 5, "SIZE=") == 0 || p.compare(0, 5, "size=") == 0)) size = std::strtoull(p.c_str() + 5, nullptr, 10);
      if (size > context_.append_limit) {
        out_ += smtp::reply(552, "5.3.4 larger than " + std::to_string(context_.append_limit) + " bytes");
      } else {
        sender_ = path->address;
        out_ += smtp::reply(250, "2.1.0 OK");
      }
    }
  } else if (verb == "RCPT") {
    auto path = smtp::parse_path(command->argument, "TO", false);
    if (!sender_) out_ += smtp::reply(503, "5.5.1 MAIL first");
    else if (!path) out_ += smtp::reply(501, "5.1.3 " + path.error().message);
    else if (auto who = lmtp_recipient(*context_.users.current(), path->address); !who) {
      out_ += smtp::reply(550, "5.1.1 <" + path->address + "> no such user here");
    } else {
      recipients_.push_back(Recipient{path->address, who->first, who->second});
      out_ += smtp::reply(250, "2.1.5 OK");
    }
  } else if (verb == "DATA") {
    if (!sender_ || recipients_.empty()) {
      out_ += smtp::reply(503, "5.5.1 no valid recipients");  // RFC 2033 §4.2
    } else {
      data_.emplace(context_.append_limit);
      out_ += smtp::reply(354, "end with <CRLF>.<CRLF>");
    }
  } else {
    out_ += smtp::reply(502, "5.5.1 not implemented");
  }
  co_return Result<void>{};
}

net::Task<void> LmtpSession::run() {
  log::info("lmtp " + conn_->peer() + ": connected");
  out_ += smtp::reply(220, "mailferry LMTP ready");
  std::optional<Error> ended;
  std::vector<char> buffer(64 * 1024);
  while (!quit_ && !ended) {
    if (!out_.empty()) {
      std::string bytes = std::move(out_);
      out_.clear();
      std::vector<std::string_view> buffers{bytes};
      if (auto sent = co_await conn_->write(std::move(buffers)); !sent) {
        ended = sent.error();
        break;
      }
    }
    if (stopping_ && !data_) {
      out_ += smtp::reply(421, "4.3.2 the server is shutting down");
      quit_ = true;
      continue;
    }
    auto read = co_await conn_->read_some(buffer.data(), buffer.size());
    if (!read && stopping_) continue;
    if (!read) {
      ended = read.error();
      break;
    }
    in_.append(buffer.data(), *read);
    std::size_t used = 0;
    while (used < in_.size() && !quit_) {
      if (data_) {
        used += data_->feed(std::string_view(in_).substr(used));
        if (!data_->done()) break;
        if (auto delivered = co_await deliver(); !delivered) ended = delivered.error();
        continue;
      }
      std::size_t nl = in_.find('\n', used);
      if (nl == std::string::npos) {
        if (in_.size() - used > 4096) {
          out_ += smtp::reply(500, "5.5.2 line too long");
          quit_ = true;
        }
        break;
      }
      std::string_view line(in_.data() + used, nl - used);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      used = nl + 1;
      if (auto handled = co_await handle(line); !handled) ended = handled.error();
    }
    in_.erase(0, used);
  }
  if (!out_.empty()) {
    std::vector<std::string_view> buffers{out_};
    (void)co_await conn_->write(std::move(buffers));
  }
  conn_->close();
  log::info("lmtp " + conn_->peer() + ": closed" + (ended ? " (" + ended->describe() + ")" : ""));
}

}  // namespace mf::server
