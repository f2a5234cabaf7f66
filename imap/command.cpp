#include "imap/command.h"

#include <algorithm>

namespace mf::imap {

Result<Command> parse_command(Frame& frame, const Limits& limits) {
  Cursor in(frame, limits);
  auto tag = in.tag();
  if (!tag || !(in.peek(' ') || in.at_end()))
    // Named by what stands where the tag should be, never the rest of the line (it may hold a password).
    return make_error(Errc::Protocol, "invalid tag (RFC 9051 §9: no + * % \\ \" ( ) { or controls)",
                      frame.text.substr(0, std::min<std::size_t>(frame.text.find(' '), 40)));
  auto fail = [&](Error e) { return with_context(std::move(e), *tag); };
  Command cmd;
  cmd.tag = *tag;
  if (!in.consume(' ')) return fail(in.error("a command name"));
  auto name = in.atom();
  if (!name) return fail(name.error());
  cmd.name = to_upper(*name);
  if (cmd.name == "UID") {
    if (!in.consume(' ')) return fail(in.error("a command after UID"));
    auto sub = in.atom();
    if (!sub) return fail(sub.error());
    cmd.uid = true;
    cmd.name = to_upper(*sub);
  }
  if (in.consume(' ')) {
    auto args = in.values_to_end();
    if (!args) return fail(args.error());
    cmd.args = std::move(*args);
  }
  if (!in.at_end()) return fail(in.error("end of command"));
  return cmd;
}

}  // namespace mf::imap
