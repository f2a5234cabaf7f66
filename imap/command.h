// Client commands as a server reads them (RFC 9051 §6), parsed from a Frame
// into a tag, a name and generic arguments. Per-command validation is the
// server's (one file per command); this only checks the grammar's frame.
#pragma once

#include "core/error.h"
#include "imap/framer.h"
#include "imap/value.h"

#include <string>
#include <vector>

namespace mf::imap {

struct Command {
  std::string tag;
  std::string name;  // upper case, e.g. "FETCH"
  bool uid = false;  // "UID FETCH", "UID STORE", ...
  std::vector<Value> args;
};

// Errc::Protocol with the tag in where when the tag could be read, so the
// server can answer "tag BAD ...".
[[nodiscard]] Result<Command> parse_command(Frame& frame, const Limits& limits = {});

}  // namespace mf::imap
