#include "imap/command.h"

namespace mf::imap {
namespace {

bool is_tag(std::string_view tag) {
  // RFC 9051 §9: tag = 1*<any ASTRING-CHAR except "+">
  if (tag.empty()) return false;
  for (char c : tag)
    if (c == '+' || c == '*' || c == '%' || c == '\\' || c == '[' || c == ']') return false;
  return true;
}

}  // namespace

Result<Command> parse_command(Frame& frame, const Limits& limits) {
  Cursor in(frame, limits);
  MF_TRY(tag, in.atom());
  if (!is_tag(tag)) return make_error(Errc::Protocol, "invalid tag", tag);
  auto fail = [&](Error e) { return with_context(std::move(e), tag); };
  Command cmd;
  cmd.tag = tag;
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
