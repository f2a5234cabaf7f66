#include "server/commands.h"

#include "imap/mutf7.h"
#include "server/mailbox_pattern.h"
#include "server/status_items.h"

#include <map>
#include <set>

namespace mf::server {
namespace {

// A LIST command: RFC 9051 §6.3.9 with LIST-EXTENDED (RFC 5258), its
// SPECIAL-USE options (RFC 6154 §3) and LIST-STATUS (RFC 5819).
struct ListRequest {
  bool extended = false;  // selection options, several patterns or return options were given
  bool select_subscribed = false, select_special_use = false, recursive = false;
  std::string reference;
  std::vector<std::string> patterns;
  bool return_subscribed = false;
  std::vector<std::string> status_items;
};

// A name as the client wrote it, decoded (RFC 3501 §5.1.3; utf8: an
// IMAP4rev2 session's, as it is, RFC 9051 §5.1); one that is not modified
// UTF-7 matches no name here (all came in valid).
std::string decoded(const std::string& text, bool utf8) {
  if (utf8) return text;
  auto name = imap::mutf7_decode(text);
  return name ? *name : text;
}

Result<ListRequest> list_request(const imap::Command& command, bool utf8) {
  const auto& a = command.args;
  ListRequest r;
  std::size_t i = 0;
  if (i < a.size() && a[i].is_list()) {  // RFC 5258 §3.1: selection options
    r.extended = true;
    for (const auto& option : a[i].items) {
      if (option.is_atom("SUBSCRIBED")) r.select_subscribed = true;
      else if (option.is_atom("RECURSIVEMATCH")) r.recursive = true;
      else if (option.is_atom("SPECIAL-USE")) r.select_special_use = true;
      else if (!option.is_atom("REMOTE")) return make_error(Errc::Protocol, "unknown LIST selection option " + option.display());
    }
    // RFC 5258 §3.1: RECURSIVEMATCH only modifies another selection option.
    if (r.recursive && !r.select_subscribed && !r.select_special_use)
      return make_error(Errc::Protocol, "RECURSIVEMATCH needs another selection option");
    ++i;
  }
  if (i + 2 > a.size() || !a[i].is_astring())
    return make_error(Errc::Protocol, command.name + " takes a reference and a mailbox pattern");
  r.reference = decoded(a[i++].text, utf8);
  if (a[i].is_list()) {  // RFC 5258 §3: several patterns
    r.extended = true;
    for (const auto& p : a[i].items) {
      if (!p.is_astring()) return make_error(Errc::Protocol, "a mailbox pattern is an astring");
      r.patterns.push_back(decoded(p.text, utf8));
    }
    if (r.patterns.empty()) return make_error(Errc::Protocol, "an empty list of mailbox patterns");
  } else if (a[i].is_astring()) {
    r.patterns.push_back(decoded(a[i].text, utf8));
  } else {
    return make_error(Errc::Protocol, "a mailbox pattern is an astring");
  }
  ++i;
  if (i < a.size()) {  // RFC 5258 §3.2: return options
    if (!a[i].is_atom("RETURN") || i + 2 != a.size() || !a[i + 1].is_list())
      return make_error(Errc::Protocol, "LIST ends with RETURN (options)");
    r.extended = true;
    const auto& options = a[i + 1].items;
    for (std::size_t j = 0; j < options.size(); ++j) {
      if (options[j].is_atom("SUBSCRIBED")) r.return_subscribed = true;
      else if (options[j].is_atom("STATUS") && j + 1 < options.size()) {  // RFC 5819 §2
        MF_TRY(items, parse_status_items(options[++j]));
        r.status_items = std::move(items);
      } else if (!options[j].is_atom("CHILDREN") && !options[j].is_atom("SPECIAL-USE")) {
        // Children and special-use attributes are returned always (RFC 5258 §4, RFC 6154 §2).
        return make_error(Errc::Protocol, "unknown LIST return option " + options[j].display());
      }
    }
  }
  return r;
}

struct Listed {
  std::string name;
  std::string attributes;
  bool childinfo = false;  // RFC 5258 §3.5 CHILDINFO ("SUBSCRIBED")
  bool selectable = false;
};

// What the request lists, in name order.
std::vector<Listed> list_of(const ListRequest& r, const std::vector<store::MailboxInfo>& boxes,
                            const std::set<std::string>& subscribed) {
  std::map<std::string, const store::MailboxInfo*> existing;
  for (const auto& b : boxes) existing.emplace(b.name, &b);
  std::set<std::string> with_children;  // of existing mailboxes
  for (const auto& b : boxes)
    for (std::size_t pos = b.name.find('/'); pos != std::string::npos; pos = b.name.find('/', pos + 1))
      with_children.insert(b.name.substr(0, pos));
  std::vector<std::string> patterns;
  for (const auto& p : r.patterns) patterns.push_back(full_pattern(r.reference, p));
  auto matched = [&](const std::string& name) {
    for (const auto& p : patterns)
      if (pattern_matches(p, name)) return true;
    return false;
  };
  auto selected = [&](const std::string& name) {
    auto box = existing.find(name);
    if (r.select_special_use && (box == existing.end() || box->second->special_use.empty())) return false;
    return !r.select_subscribed || subscribed.count(name) > 0;
  };
  // Candidates: every mailbox, every subscribed name, and their parents (for CHILDINFO).
  std::set<std::string> names;
  for (const auto& [name, box] : existing) names.insert(name);
  if (r.select_subscribed)
    for (const auto& name : subscribed)
      for (std::size_t pos = 0; pos != std::string::npos; pos = name.find('/', pos + 1)) {
        names.insert(name);
        if (pos > 0) names.insert(name.substr(0, pos));
      }
  std::vector<Listed> out;
  for (const auto& name : names) {
    if (!matched(name)) continue;
    Listed l{name};
    if (!selected(name)) {
      // RFC 5258 §3.5: a name that is not selected itself but has a descendant that is, and
      // that the patterns do not list, is listed with CHILDINFO (so a client can show the way).
      if (!r.recursive || !r.select_subscribed) continue;
      bool below = false;
      for (auto it = subscribed.lower_bound(name + "/"); it != subscribed.end() && it->rfind(name + "/", 0) == 0; ++it)
        if (!matched(*it)) below = true;
      if (!below) continue;
      l.childinfo = true;
    }
    auto box = existing.find(name);
    std::string& a = l.attributes;
    auto add = [&](std::string_view attribute) { a += (a.empty() ? "" : " ") + std::string(attribute); };
    if (box == existing.end()) {
      add("\\NonExistent");  // RFC 5258 §3.4: implies \Noselect
    } else {
      l.selectable = true;
      add(with_children.count(name) ? "\\HasChildren" : "\\HasNoChildren");
      if (!box->second->special_use.empty()) add(box->second->special_use);
    }
    if ((r.select_subscribed || r.return_subscribed) && subscribed.count(name) && !l.childinfo) add("\\Subscribed");
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace

net::Task<Result<Reply>> cmd_list(Session& session, imap::Command& command) {
  MF_CO_TRY_OR_BAD(request, list_request(command, session.rev2()));
  if (!request.extended && request.patterns.front().empty()) {
    // The hierarchy delimiter and the root (RFC 9051 §6.3.9); RFC 5258 §3 makes "" no special case.
    session.out().untagged("LIST (\\Noselect) \"/\" \"\"");
    co_return ok("LIST completed");
  }
  bool want_status = !request.status_items.empty();
  using Found = std::pair<std::vector<store::MailboxInfo>, std::set<std::string>>;
  auto found = co_await session.store([&](store::Mailstore& s) -> Result<Found> {
    MF_TRY(boxes, s.mailboxes());
    std::set<std::string> subscribed;
    if (request.select_subscribed || request.return_subscribed) {
      MF_TRY(names, s.subscriptions());
      subscribed.insert(names.begin(), names.end());
    }
    return Found{std::move(boxes), std::move(subscribed)};
  });
  if (!found) co_return no(found.error());
  auto listed = list_of(request, found->first, found->second);
  // RFC 5819 §2: a STATUS response for each selectable mailbox listed, after its LIST response.
  std::map<std::string, std::pair<store::MailboxInfo, store::MailboxCounts>> statuses;
  if (want_status) {
    auto counted = co_await session.store([&](store::Mailstore& s) -> Result<void> {
      for (const auto& l : listed) {
        if (!l.selectable) continue;
        auto info = s.mailbox(l.name);
        if (!info) continue;  // deleted meanwhile: no STATUS for it
        MF_TRY(counts, s.counts(*info));
        statuses.emplace(l.name, std::pair{*info, counts});
      }
      return {};
    });
    if (!counted) co_return no(counted.error());
  }
  auto& out = session.out();
  for (const auto& l : listed) {
    out.begin_untagged().raw("LIST (").raw(l.attributes).raw(") \"/\" ").astring(session.mailbox_to_wire(l.name));
    if (l.childinfo) out.raw(" (\"CHILDINFO\" (\"SUBSCRIBED\"))");
    out.end();
    if (auto s = statuses.find(l.name); s != statuses.end()) {
      out.begin_untagged().raw("STATUS ").astring(session.mailbox_to_wire(l.name));
      out.raw(" (" + status_values(request.status_items, s->second.first, s->second.second) + ")").end();
    }
  }
  co_return ok("LIST completed");
}

// RFC 3501 §6.3.9 (gone from IMAP4rev2, still used by IMAP4rev1 clients).
net::Task<Result<Reply>> cmd_lsub(Session& session, imap::Command& command) {
  if (command.args.size() != 2 || !command.args[0].is_astring() || !command.args[1].is_astring())
    co_return bad("LSUB takes a reference and a mailbox pattern");
  std::string reference = decoded(command.args[0].text, session.rev2()),
              pattern_text = decoded(command.args[1].text, session.rev2());
  if (pattern_text.empty()) {
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
  std::string pattern = full_pattern(reference, pattern_text);
  const auto& [subscribed, existing] = *found;
  std::set<std::string> listed(subscribed.begin(), subscribed.end());
  std::set<std::string> unsubscribed_parents;
  auto line = [&](const std::string& attributes, const std::string& name) {
    session.out().begin_untagged().raw("LSUB (").raw(attributes).raw(") \"/\" ");
    session.out().astring(session.mailbox_to_wire(name)).end();
  };
  for (const auto& name : subscribed) {
    if (pattern_matches(pattern, name)) line(existing.count(name) ? "" : "\\Noselect", name);
    // RFC 3501 §6.3.9: when "%" stops at a level that is not subscribed but
    // has subscribed children, that level is listed as \Noselect.
    for (std::size_t pos = name.find('/'); pos != std::string::npos; pos = name.find('/', pos + 1)) {
      std::string parent = name.substr(0, pos);
      if (!listed.count(parent) && pattern_matches(pattern, parent)) unsubscribed_parents.insert(parent);
    }
  }
  for (const auto& parent : unsubscribed_parents) line("\\Noselect", parent);
  co_return ok("LSUB completed");
}

}  // namespace mf::server
