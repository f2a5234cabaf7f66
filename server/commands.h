// The IMAP command table (Dovecot's imap-commands.c is the model): for each
// command the states that allow it, whether its answer may carry EXPUNGE
// responses, and its handler, one file per command (server/cmd_<verb>.cpp).
// A handler writes its untagged responses and returns the tagged one; the
// session adds what other sessions changed before it (RFC 9051 §7.5.1).
#pragma once

#include "imap/command.h"
#include "server/session.h"

#include <string>
#include <string_view>

namespace mf::server {

struct Reply {
  imap::Status status = imap::Status::Ok;
  std::string code;  // without brackets; empty for none
  std::string text;
  bool sent = false;  // the handler wrote its tagged response itself (STARTTLS, before the handshake)
};

Reply ok(std::string text, std::string code = {});
Reply no(std::string text, std::string code = {});
Reply bad(std::string text);
// A store error: NO with the RFC 5530 code its Errc maps to and the text
// for clients (Error::for_client), never its paths; the session logs the rest.
Reply no(const Error& e);

// In a handler: the value of a Result, or a tagged BAD with its message.
#define MF_CO_TRY_OR_BAD(var, expr)                                   \
  auto var##_result_ = (expr);                                        \
  if (!var##_result_) co_return bad(var##_result_.error().message);   \
  auto var = std::move(*var##_result_)

// In a handler: a mailbox name from the wire, or a tagged NO (a name that
// is not modified UTF-7 names no mailbox here; imaptest's atoms group).
#define MF_CO_TRY_MAILBOX(var, value)                                       \
  auto var##_result_ = session.mailbox_from_wire(value);                    \
  if (!var##_result_) co_return no(var##_result_.error().message, "CANNOT"); \
  auto var = std::move(*var##_result_)

using Handler = net::Task<Result<Reply>> (*)(Session&, imap::Command&);

enum StateMask : unsigned { kNotAuthenticated = 1, kAuthenticated = 2, kSelected = 4, kAnyState = 7 };

struct CommandSpec {
  std::string_view name;  // as parse_command gives it, "UID FETCH" for the UID form
  unsigned states;
  // RFC 9051 §7.5.1: no EXPUNGE while answering FETCH, STORE or SEARCH (their UID forms may).
  bool holds_expunges;
  Handler handler;
};

// The command of that name (parse_command's name, with "UID " before it for the UID form), or null.
const CommandSpec* find_command(std::string_view name);

// The handlers (server/cmd_<verb>.cpp).
net::Task<Result<Reply>> cmd_capability(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_noop(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_logout(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_starttls(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_login(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_authenticate(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_enable(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_id(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_namespace(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_list(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_lsub(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_create(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_delete(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_rename(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_subscribe(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_unsubscribe(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_status(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_select(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_examine(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_append(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_idle(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_check(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_close(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_unselect(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_expunge(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_fetch(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_store(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_copy(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_move(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_search(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_sort(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_thread(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_getquota(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_getquotaroot(Session&, imap::Command&);
net::Task<Result<Reply>> cmd_setquota(Session&, imap::Command&);

}  // namespace mf::server
