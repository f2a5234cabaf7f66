#include "server/session.h"

#include "core/log.h"
#include "core/utf8.h"
#include "imap/grammar.h"
#include "imap/mutf7.h"
#include "imap/response_codes.h"
#include "net/task_group.h"
#include "server/commands.h"

#include <algorithm>

namespace mf::server {
namespace {

constexpr std::size_t kFlushAt = 256 * 1024;

// RFC 9051 §6.2 and §5.4: before login small lines and literals are enough
// (a LOGIN, an AUTHENTICATE, an ID); after it, lines as long as a large UID set and
// literals as large as APPENDLIMIT.
imap::Limits limits_for(State state, std::uint64_t append_limit) {
  imap::Limits limits;
  if (state == State::NotAuthenticated) {
    limits.max_line = 64 * 1024;  // an ID of 30 fields of 1024 bytes (RFC 2971 §3.3) fits
    limits.max_literal = 8 * 1024;
    limits.max_literals_per_frame = 4;
    limits.max_depth = 4;
  } else {
    limits.max_line = 1 << 20;
    limits.max_literal = append_limit;
    limits.max_literals_per_frame = 10000;
    limits.max_depth = 16;
  }
  return limits;
}

// No command argument is nil (RFC 9051 §9: an astring "NIL" is the text NIL,
// "SEARCH SUBJECT NIL" looks for it), but ID's, which cmd_id reads as the atom.
void nil_as_atom(std::vector<imap::Value>& values) {
  for (auto& v : values) {
    if (v.is_nil()) {
      v.kind = imap::Value::Kind::Atom;
      v.text = "NIL";
    }
    nil_as_atom(v.items);
  }
}

bool is_loopback(const std::string& peer) { return peer.rfind("127.", 0) == 0 || peer.rfind("::1", 0) == 0; }

}  // namespace

Session::Session(ServerContext& context, std::unique_ptr<net::Connection> conn, bool implicit_tls)
    : context_(context), conn_(std::move(conn)), implicit_tls_(implicit_tls), buffer_(16 * 1024) {
  loopback_ = is_loopback(conn_->peer());
  apply_limits(true);
}

void Session::apply_limits(bool fresh_framer) {
  if (fresh_framer) {
    imap::Framer::Options options;
    options.refuse_sync_literals = true;
    framer_ = imap::Framer(std::move(options));
    continued_ = 0;
  }
  framer_.set_limits(limits_for(state_, context_.append_limit));
  conn_->set_timeout(state_ == State::NotAuthenticated ? context_.login_timeout : context_.idle_timeout);
}

std::string Session::capabilities() const {
  // RFC 9051 §7.2.2: both revisions; a client ENABLEs IMAP4rev2 (§6.3.1) to
  // get its behaviour. LITERAL+ covers IMAP4rev2's LITERAL- (RFC 7888 §5).
  std::string caps = "IMAP4rev1 IMAP4rev2 LITERAL+ SASL-IR ID ENABLE";
  if (state_ == State::NotAuthenticated) {
    if (context_.tls && !tls_active()) caps += " STARTTLS";
    // RFC 9051 §6.2.3: LOGINDISABLED where no password may be sent.
    caps += login_allowed() ? " AUTH=PLAIN" : " LOGINDISABLED";
    return caps;
  }
  caps += " IDLE BINARY SEARCHRES STATUS=SIZE CONDSTORE SORT SORT=DISPLAY THREAD=ORDEREDSUBJECT THREAD=REFERENCES NAMESPACE UIDPLUS MULTIAPPEND UNSELECT CHILDREN MOVE SPECIAL-USE LIST-EXTENDED LIST-STATUS ESEARCH QUOTA QUOTA=RES-STORAGE";
  caps += " APPENDLIMIT=" + std::to_string(context_.append_limit);
  return caps;
}

net::Task<Result<void>> Session::flush() {
  if (out_.size() == 0) co_return Result<void>{};
  std::string bytes = std::move(out_.buffer());
  out_.clear();
  std::vector<std::string_view> buffers{bytes};
  co_return co_await conn_->write(std::move(buffers));
}

net::Task<Result<void>> Session::start_tls() {
  MF_CO_CHECK(co_await flush());
  MF_CO_CHECK(co_await conn_->start_tls());
  // RFC 9051 §6.2.1: nothing read before the handshake counts after it.
  apply_limits(true);
  co_return Result<void>{};
}

void Session::logged_in(std::string user) {
  user_ = std::move(user);
  state_ = State::Authenticated;
  apply_limits(false);  // a client may pipeline commands after its LOGIN
  log::info("imap " + peer() + ": " + user_ + " logged in");
}

void Session::select(SelectedView view) {
  selected_.emplace(std::move(view));
  state_ = State::Selected;
}

void Session::enable_condstore() {
  if (condstore_) return;
  condstore_ = true;
  if (selected_)
    out_.status("*", imap::Status::Ok, "HIGHESTMODSEQ " + std::to_string(selected_->highestmodseq()), "CONDSTORE enabled");
}

void Session::deselect() {
  selected_.reset();
  if (state_ == State::Selected) state_ = State::Authenticated;
}

Result<std::string> Session::mailbox_from_wire(const imap::Value& name) const {
  if (!name.is_astring()) return make_error(Errc::Protocol, "a mailbox name is an astring");
  // RFC 9051 §5.1: IMAP4rev2 names are UTF-8 as they are.
  if (rev2_) {
    if (!valid_utf8(name.text)) return make_error(Errc::Protocol, "the mailbox name is not UTF-8 (RFC 9051 §5.1)");
    return store::canonical_name(name.text);
  }
  auto decoded = imap::mutf7_decode(name.text);
  if (!decoded) return make_error(Errc::Protocol, "the mailbox name is not modified UTF-7 (RFC 3501 §5.1.3)");
  return store::canonical_name(*decoded);
}

std::string Session::mailbox_to_wire(const std::string& name) const {
  if (rev2_) return name;
  auto encoded = imap::mutf7_encode(name);
  return encoded ? *encoded : name;  // the store holds only names that came in valid
}

net::Task<bool> Session::check_password(const std::string& user, const std::string& password) {
  std::shared_ptr<const store::Users> users = context_.users.current();
  context_.auth_cache.follow(context_.users.generation());
  auto& throttle = context_.login_throttle;
  bool good = context_.auth_cache.recalls(user, password);
  if (!good) {
    auto wait = throttle.delay(peer(), user, LoginThrottle::Clock::now());
    if (wait.count() > 0) co_await net::sleep_for(wait);
    good = co_await context_.auth_lane->run([&] { return users->verify(user, password); });
  }
  if (good) {
    context_.auth_cache.remember(user, password);
    throttle.succeeded(peer(), user);
    co_return true;
  }
  throttle.failed(peer(), user, LoginThrottle::Clock::now());
  log::warn("imap " + peer() + ": failed login for " + imap::response_text(user.substr(0, 64)));
  co_await net::sleep_for(throttle.delay(peer(), user, LoginThrottle::Clock::now()));
  co_return false;
}

net::Task<Result<std::string>> Session::read_line() {
  MF_CO_CHECK(co_await flush());
  for (;;) {
    auto frame = framer_.next();
    if (!frame) co_return frame.error();
    if (*frame) {
      std::string line = std::move((*frame)->text);
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
      if (!(*frame)->literals.empty()) co_return make_error(Errc::Protocol, "a literal in an AUTHENTICATE response");
      co_return line;
    }
    MF_CO_TRY(n, co_await conn_->read_some(buffer_.data(), buffer_.size()));
    framer_.feed(std::string_view(buffer_.data(), n));
  }
}

void Session::announce_flags() {
  const auto& view = *selected_;
  out_.untagged("FLAGS (" + view.flags_text() + ")");
  // "\*": any new keyword may be set (RFC 9051 §7.1).
  out_.status("*", imap::Status::Ok,
              view.read_only() ? "PERMANENTFLAGS ()" : "PERMANENTFLAGS (" + view.flags_text() + " \\*)",
              view.read_only() ? "read-only" : "flags that are kept");
}

net::Task<Result<void>> Session::sync_selected(bool expunges_allowed) {
  if (!selected_) co_return Result<void>{};
  std::int64_t id = selected_->info().id;
  std::string name = selected_->info().name;
  std::uint64_t known = selected_->highestmodseq();
  bool claims = !selected_->read_only() && !rev2_;  // RFC 9051 Appendix E: no \Recent in IMAP4rev2
  struct Fresh {
    store::MailboxInfo info;
    std::vector<store::MessageRecord> messages;
    std::uint32_t recent_from = 0;
  };
  auto fresh = co_await store([&](store::Mailstore& s) -> Result<std::optional<Fresh>> {
    MF_TRY(info, s.mailbox(name));
    if (info.id != id) return make_error(Errc::NotFound, "the mailbox was deleted", name);
    if (info.highestmodseq == known) return std::optional<Fresh>{};
    std::uint32_t recent_from = info.first_recent_uid;
    if (claims) {
      MF_TRY(claimed, s.claim_recent(id));
      recent_from = claimed;
    }
    MF_TRY(messages, s.messages(id));
    return std::optional<Fresh>{Fresh{std::move(info), std::move(messages), recent_from}};
  });
  if (!fresh && fresh.error().code == Errc::NotFound) {
    // RFC 9051 §7.1: another session deleted or renamed it away.
    out_.untagged("BYE the selected mailbox was deleted");
    state_ = State::Logout;
    co_return Result<void>{};
  }
  if (!fresh) co_return fresh.error();
  ViewChanges changes;
  if (*fresh)
    changes = selected_->update(std::move((*fresh)->info), std::move((*fresh)->messages), expunges_allowed,
                                rev2_ ? SelectedView::kNoRecent : (*fresh)->recent_from);
  else if (expunges_allowed)
    changes = selected_->release_expunges();  // held back while a FETCH, STORE or SEARCH answered
  if (changes.keywords_changed) announce_flags();
  for (auto seq : changes.expunged_seqs) out_.untagged(std::to_string(seq) + " EXPUNGE");
  if (changes.exists) {
    out_.untagged(std::to_string(changes.exists) + " EXISTS");
    if (!rev2_) out_.untagged(std::to_string(changes.recent) + " RECENT");
  }
  for (auto seq : changes.flag_seqs) {
    const auto& m = selected_->at(seq).record;
    out_.begin_untagged().raw(std::to_string(seq) + " FETCH (UID " + std::to_string(m.uid) + " FLAGS ");
    out_.flag_list(selected_->flags_of(seq));
    if (condstore_) out_.raw(" MODSEQ (" + std::to_string(m.modseq) + ")");  // RFC 7162 §3.2
    out_.raw(")").end();
  }
  co_return Result<void>{};
}

net::Task<Result<void>> Session::greet() {
  if (implicit_tls_) MF_CO_CHECK(co_await conn_->start_tls());
  out_.status("*", imap::Status::Ok, "CAPABILITY " + capabilities(), "mailferry ready");
  co_return co_await flush();
}

// The tag a frame starts with, or "*" when it starts with none.
static std::string leading_tag(std::string_view text) {
  std::size_t end = 0;
  while (end < text.size() && imap::is_tag_char(text[end])) ++end;
  return end > 0 && end < text.size() && text[end] == ' ' ? std::string(text.substr(0, end)) : "*";
}

net::Task<Result<void>> Session::handle(imap::Frame frame) {
  if (frame.refused) {
    // No "+" was sent, so the client sends nothing more of this command (RFC 9051 §7.5).
    out_.status(leading_tag(frame.text), imap::Status::No, frame.refused->code, frame.refused->text);
    co_return Result<void>{};
  }
  auto parsed = imap::parse_command(frame, limits_for(state_, context_.append_limit));
  if (!parsed) {
    std::string tag = parsed.error().where.empty() ? "*" : parsed.error().where;
    out_.status(tag, imap::Status::Bad, "", parsed.error().message);
    co_return Result<void>{};
  }
  imap::Command& command = *parsed;
  nil_as_atom(command.args);
  std::string name = command.uid ? "UID " + command.name : command.name;
  const CommandSpec* spec = find_command(name);
  if (!spec) {
    out_.status(command.tag, imap::Status::Bad, "", "unknown command " + imap::response_text(name.substr(0, 40)));
    co_return Result<void>{};
  }
  unsigned mask = state_ == State::NotAuthenticated ? kNotAuthenticated
                  : state_ == State::Authenticated  ? kAuthenticated
                                                    : kSelected;
  if (!(spec->states & mask)) {
    out_.status(command.tag, imap::Status::Bad, "",
                name + (state_ == State::NotAuthenticated ? " needs a login first" : " is not allowed in this state"));
    co_return Result<void>{};
  }
  MF_CO_TRY(reply, co_await spec->handler(*this, command));
  // RFC 9051 §7: what other sessions changed comes before the tagged answer.
  if (state_ == State::Selected && reply.status != imap::Status::Bad)
    MF_CO_CHECK(co_await sync_selected(!spec->holds_expunges));
  if (!reply.sent) out_.status(command.tag, reply.status, reply.code, reply.text);
  co_return Result<void>{};
}

// Whether a frame read so far is an APPEND: "tag APPEND ...".
static bool is_append(std::string_view text) {
  std::size_t space = text.find(' ');
  if (space == std::string_view::npos) return false;
  std::string_view rest = text.substr(space + 1);
  return rest.size() > 7 && imap::iequals(rest.substr(0, 7), "APPEND ");
}

net::Task<bool> Session::refuse_over_quota() {
  // RFC 9208 §5.1 with RFC 9051 §7.5: an APPEND that cannot fit is told so
  // before its message is sent, not after (the store checks again when it
  // stores: another session may have filled the quota meanwhile).
  if (state_ == State::NotAuthenticated || !framer_.awaiting_sync_literal() ||
      framer_.sync_literals_seen() == continued_ || !is_append(framer_.pending_text()))
    co_return false;
  std::uint64_t wanted = framer_.pending_literal_bytes();
  auto room = co_await store([&](store::Mailstore& s) { return s.check_quota(wanted); });
  if (room || room.error().code != Errc::NoSpace) co_return false;  // fits, or the store will say why
  framer_.refuse_pending_literal({"OVERQUOTA", "the message does not fit in the mailbox quota"});
  co_return true;
}

net::Task<Result<void>> Session::send_continuations() {
  // RFC 9051 §7.5: one "+" for each synchronizing literal the client waits on.
  if (framer_.awaiting_sync_literal() && framer_.sync_literals_seen() != continued_) {
    continued_ = framer_.sync_literals_seen();
    out_.continuation("ready for the literal");
  }
  co_return co_await flush();
}

void Session::shut_down() {
  stopping_ = true;
  conn_->cancel();
}

net::Task<void> Session::run() {
  log::info("imap " + peer() + ": connected");
  auto greeted = co_await greet();
  if (!greeted) {
    log::info("imap " + peer() + ": " + greeted.error().describe());
    conn_->close();
    co_return;
  }
  std::optional<Error> ended;
  while (state_ != State::Logout && !ended) {
    if (stopping_) {
      out_.untagged("BYE the server is shutting down");
      break;
    }
    auto read = co_await conn_->read_some(buffer_.data(), buffer_.size());
    if (!read && stopping_) continue;
    if (!read) {
      ended = read.error();
      break;
    }
    framer_.feed(std::string_view(buffer_.data(), *read));
    for (;;) {
      while (state_ != State::Logout) {
        auto frame = framer_.next();
        if (!frame) {
          // The stream cannot be resynchronised after a framing error (a limit, a bad literal marker).
          out_.untagged("BYE " + imap::response_text(frame.error().message));
          state_ = State::Logout;
          ended = frame.error();
          break;
        }
        if (!*frame) break;
        auto handled = co_await handle(std::move(**frame));
        if (!handled) {
          ended = handled.error();
          break;
        }
        if (out_.size() >= kFlushAt) {
          if (auto sent = co_await flush(); !sent) ended = sent.error();
        }
      }
      if (ended || state_ == State::Logout) break;
      bool refused = co_await refuse_over_quota();  // its refused frame is next
      if (!refused) break;
    }
    if (auto sent = co_await send_continuations(); !sent && !ended) ended = sent.error();
  }
  if (auto sent = co_await flush(); !sent && !ended) ended = sent.error();
  conn_->close();
  log::info("imap " + peer() + (user_.empty() ? "" : " " + user_) + ": closed" +
            (ended ? " (" + ended->describe() + ")" : ""));
}

}  // namespace mf::server
