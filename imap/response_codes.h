// RFC 5530 response codes (and those of RFC 9051 §7.1) and what they mean
// as an Errc: one table, read one way by the client (a server's NO to an
// error it can act on) and the other way by the server (its error to the
// code it sends).
#pragma once

#include "core/error.h"

#include <string_view>

namespace mf::imap {

// The Errc a response code names; Errc::Perm for codes that name none.
Errc errc_of_response_code(std::string_view name);
// The code a server sends with a NO for an error of this kind.
std::string_view response_code_of(Errc code);

}  // namespace mf::imap
