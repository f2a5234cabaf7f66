// An address header as IMAP's ENVELOPE gives it (RFC 3501 §7.4.2, the
// obsolete forms of RFC 5322 §4.4 too): mailboxes with their display name
// as written (RFC 2047 words not decoded; a comment stands for a missing
// name), source route, local part and domain; a group as a start marker
// (its name as the local part, no domain) and an end marker (all empty).
// Hand-written because exact: GMime decodes names and drops routes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mf::mime {

struct EnvelopeAddress {
  std::string name, route, mailbox, host;
  bool has_name = false, has_route = false, has_mailbox = false, has_host = false;  // false: NIL
};

// The addresses of a field's value; empty for a value with none.
std::vector<EnvelopeAddress> parse_envelope_addresses(std::string_view value);

}  // namespace mf::mime
