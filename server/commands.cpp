#include "server/commands.h"

#include "imap/response_codes.h"

#include <array>

namespace mf::server {
namespace {

constexpr unsigned kAuthenticatedOrSelected = kAuthenticated | kSelected;

constexpr std::array kCommands = {
    // RFC 9051 §6.1: any state.
    CommandSpec{"CAPABILITY", kAnyState, false, cmd_capability},
    CommandSpec{"NOOP", kAnyState, false, cmd_noop},
    CommandSpec{"LOGOUT", kAnyState, false, cmd_logout},
    CommandSpec{"ID", kAnyState, false, cmd_id},  // RFC 2971 §3.1
    // §6.2: not authenticated.
    CommandSpec{"STARTTLS", kNotAuthenticated, false, cmd_starttls},
    CommandSpec{"AUTHENTICATE", kNotAuthenticated, false, cmd_authenticate},
    CommandSpec{"LOGIN", kNotAuthenticated, false, cmd_login},
    // §6.3: authenticated (and selected).
    CommandSpec{"ENABLE", kAuthenticatedOrSelected, false, cmd_enable},
    CommandSpec{"SELECT", kAuthenticatedOrSelected, false, cmd_select},
    CommandSpec{"EXAMINE", kAuthenticatedOrSelected, false, cmd_examine},
    CommandSpec{"NAMESPACE", kAuthenticatedOrSelected, false, cmd_namespace},
    CommandSpec{"CREATE", kAuthenticatedOrSelected, false, cmd_create},
    CommandSpec{"DELETE", kAuthenticatedOrSelected, false, cmd_delete},
    CommandSpec{"RENAME", kAuthenticatedOrSelected, false, cmd_rename},
    CommandSpec{"SUBSCRIBE", kAuthenticatedOrSelected, false, cmd_subscribe},
    CommandSpec{"UNSUBSCRIBE", kAuthenticatedOrSelected, false, cmd_unsubscribe},
    CommandSpec{"LIST", kAuthenticatedOrSelected, false, cmd_list},
    CommandSpec{"LSUB", kAuthenticatedOrSelected, false, cmd_lsub},
    CommandSpec{"STATUS", kAuthenticatedOrSelected, false, cmd_status},
    CommandSpec{"GETQUOTA", kAuthenticatedOrSelected, false, cmd_getquota},
    CommandSpec{"GETQUOTAROOT", kAuthenticatedOrSelected, false, cmd_getquotaroot},
    CommandSpec{"SETQUOTA", kAuthenticatedOrSelected, false, cmd_setquota},
    CommandSpec{"APPEND", kAuthenticatedOrSelected, false, cmd_append},
    CommandSpec{"IDLE", kAuthenticatedOrSelected, false, cmd_idle},  // RFC 9051 §6.3.13
    // §6.4: selected.
    CommandSpec{"CHECK", kSelected, false, cmd_check},
    CommandSpec{"CLOSE", kSelected, false, cmd_close},
    CommandSpec{"UNSELECT", kSelected, false, cmd_unselect},  // RFC 3691
    CommandSpec{"EXPUNGE", kSelected, false, cmd_expunge},
    CommandSpec{"UID EXPUNGE", kSelected, false, cmd_expunge},  // RFC 4315 §2.1
    CommandSpec{"SEARCH", kSelected, true, cmd_search},
    CommandSpec{"UID SEARCH", kSelected, false, cmd_search},
    CommandSpec{"SORT", kSelected, true, cmd_sort},  // RFC 5256 §3
    CommandSpec{"UID SORT", kSelected, false, cmd_sort},
    CommandSpec{"THREAD", kSelected, true, cmd_thread},  // RFC 5256 §4
    CommandSpec{"UID THREAD", kSelected, false, cmd_thread},
    CommandSpec{"FETCH", kSelected, true, cmd_fetch},
    CommandSpec{"UID FETCH", kSelected, false, cmd_fetch},
    CommandSpec{"STORE", kSelected, true, cmd_store},
    CommandSpec{"UID STORE", kSelected, false, cmd_store},
    CommandSpec{"COPY", kSelected, false, cmd_copy},
    CommandSpec{"UID COPY", kSelected, false, cmd_copy},
    CommandSpec{"MOVE", kSelected, false, cmd_move},  // RFC 6851
    CommandSpec{"UID MOVE", kSelected, false, cmd_move},
};

}  // namespace

const CommandSpec* find_command(std::string_view name) {
  for (const auto& spec : kCommands)
    if (spec.name == name) return &spec;
  return nullptr;
}

Reply ok(std::string text, std::string code) { return Reply{imap::Status::Ok, std::move(code), std::move(text)}; }
Reply no(std::string text, std::string code) { return Reply{imap::Status::No, std::move(code), std::move(text)}; }
Reply bad(std::string text) { return Reply{imap::Status::Bad, {}, std::move(text)}; }

Reply no(const Error& e) {
  // TRYCREATE is the caller's (APPEND, COPY, MOVE: RFC 9051 §7.1); here the generic code.
  return Reply{imap::Status::No, std::string(imap::response_code_of(e.code)), std::string(e.for_client())};
}

}  // namespace mf::server
