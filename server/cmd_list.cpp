#include "server/commands.h"

#include "imap/mutf7.h"
#include "server/mailbox_pattern.h"

#include <set>

namespace mf::server {
namespace {

struct ListArguments {
  std::string reference;
  std::string pattern;
};

Result<ListArguments> list_arguments(const imap::Command& command) {
  if (command.args.size() != 2 || !command.args[0].is_astring() || !command.args[1].is_astring())
    return make_error(Errc::Protocol, command.name + " takes a reference and a mailbox pattern");
  // A pattern that is not modified UTF-7 matches no name here (all came in valid): OK, nothing listed.
  auto reference = imap::mutf7_decode(command.args[0].text);
  auto pattern = imap::mutf7_decode(command.args[1].text);
  return ListArguments{reference ? *reference : command.args[0].text, pattern ? *pattern : command.args[1].text};
}

void list_line(Session& session, std::string_view kind, const std::string& attributes, const std::string& name) {
  session.out().begin_untagged().raw(kind).raw(" (").raw(attributes).raw(") \"/\" ");
  session.out().astring(session.mailbox_to_wire(name)).end();
}

}  // namespace

// RFC 9051 §6.3.9 with CHILDREN (RFC 3348) and SPECIAL-USE (RFC 6154) attributes.
net::Task<Result<Reply>> cmd_list(Session& session, imap::Command& command) {
  MF_CO_TRY_OR_BAD(args, list_arguments(command));
  if (args.pattern.empty()) {
    // The hierarchy delimiter and the root (RFC 9051 §6.3.9).
    session.out().untagged("LIST (\\Noselect) \"/\" \"\"");
    co_return ok("LIST completed");
  }
  auto boxes = co_await session.store([](store::Mailstore& s) { return s.mailboxes(); });
  if (!boxes) co_return no(boxes.error());
  std::set<std::string> parents;
  for (const auto& box : *boxes)
    for (std::size_t pos = box.name.find('/'); pos != std::string::npos; pos = box.name.find('/', pos + 1))
      parents.insert(box.name.substr(0, pos));
  std::string pattern = full_pattern(args.reference, args.pattern);
  for (const auto& box : *boxes) {
    if (!pattern_matches(pattern, box.name)) continue;
    std::string attributes = parents.count(box.name) ? "\\HasChildren" : "\\HasNoChildren";
    if (!box.special_use.empty()) attributes += " " + box.special_use;
    list_line(session, "LIST", attributes, box.name);
  }
  co_return ok("LIST completed");
}

// RFC 3501 §6.3.9 (gone from IMAP4rev2, still used by IMAP4rev1 clients).
net::Task<Result<Reply>> cmd_lsub(Session& session, imap::Command& command) {
  MF_CO_TRY_OR_BAD(args, list_arguments(command));
  if (args.pattern.empty()) {
    session.out().untagged("LSUB (\\Noselect) \"/\" \"\"");
    co_return ok("LSUB completed");
  }
  auto found = co_await session.store([](store::Mailstore& s) -> Result<std::pair<std::vector<std::string>, std::set<std::string>>> {
    MF_TRY(subscribed, s.subscriptions());
    MF_TRY(boxes, s.mailboxes());
    std::set<std::string> names;
    for (const auto& b : boxes) names.insert(b.name);
    return std::pair{std::move(subscribed), std::move(names)};
  });
  if (!found) co_return no(found.error());
  std::string pattern = full_pattern(args.reference, args.pattern);
  const auto& [subscribed, existing] = *found;
  std::set<std::string> listed(subscribed.begin(), subscribed.end());
  std::set<std::string> unsubscribed_parents;
  for (const auto& name : subscribed) {
    if (pattern_matches(pattern, name)) list_line(session, "LSUB", existing.count(name) ? "" : "\\Noselect", name);
    // RFC 3501 §6.3.9: when "%" stops at a level that is not subscribed but
    // has subscribed children, that level is listed as \Noselect.
    for (std::size_t pos = name.find('/'); pos != std::string::npos; pos = name.find('/', pos + 1)) {
      std::string parent = name.substr(0, pos);
      if (!listed.count(parent) && pattern_matches(pattern, parent)) unsubscribed_parents.insert(parent);
    }
  }
  for (const auto& parent : unsubscribed_parents) list_line(session, "LSUB", "\\Noselect", parent);
  co_return ok("LSUB completed");
}

}  // namespace mf::server
