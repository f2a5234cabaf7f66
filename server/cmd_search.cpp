#include "server/commands.h"

#include "imap/sequence_set.h"
#include "server/search_keys.h"

#include <optional>

namespace mf::server {

namespace {

// RFC 4731 §3.1: SEARCH RETURN (MIN MAX ALL COUNT); "RETURN ()" is ALL.
struct ReturnOptions {
  bool min = false, max = false, all = false, count = false;
};

Result<ReturnOptions> return_options(const imap::Value& list) {
  if (!list.is_list()) return make_error(Errc::Protocol, "RETURN takes a list of options");
  ReturnOptions r;
  for (const auto& o : list.items) {
    if (o.is_atom("MIN")) r.min = true;
    else if (o.is_atom("MAX")) r.max = true;
    else if (o.is_atom("ALL")) r.all = true;
    else if (o.is_atom("COUNT")) r.count = true;
    else return make_error(Errc::Protocol, "unknown SEARCH return option " + o.display());
  }
  if (list.items.empty()) r.all = true;
  return r;
}

// RFC 4731 §3.1: the return data asked for; MIN, MAX and ALL only when something matched.
std::string esearch_response(const std::string& tag, bool uid, const ReturnOptions& r,
                             const std::vector<std::uint32_t>& found) {
  std::string out = "ESEARCH (TAG \"" + tag + "\")";
  if (uid) out += " UID";
  if (!found.empty()) {
    if (r.min) out += " MIN " + std::to_string(found.front());
    if (r.max) out += " MAX " + std::to_string(found.back());
    if (r.all) out += " ALL " + imap::SequenceSet::from_numbers(found).to_string();
  }
  if (r.count) out += " COUNT " + std::to_string(found.size());
  return out;
}

}  // namespace

// RFC 3501 §6.4.4, and ESEARCH's form (RFC 4731) when RETURN is given. UID
// SEARCH answers UIDs (§6.4.8). Found numbers ascend: the view is in order.
net::Task<Result<Reply>> cmd_search(Session& session, imap::Command& command) {
  std::optional<ReturnOptions> extended;
  if (command.args.size() >= 2 && command.args[0].is_atom("RETURN")) {
    MF_CO_TRY_OR_BAD(options, return_options(command.args[1]));
    extended = options;
    command.args.erase(command.args.begin(), command.args.begin() + 2);
  }
  auto key = parse_search(command.args);
  if (!key && key.error().code == Errc::Usage) co_return no(key.error().message, "BADCHARSET (US-ASCII UTF-8)");
  if (!key) co_return bad(key.error().message);
  auto& view = session.selected();
  bool bytes = needs_bytes(*key);
  std::vector<std::uint32_t> found;
  SearchSubject subject;
  subject.max_seq = view.count();
  subject.max_uid = view.count() ? view.at(view.count()).record.uid : 0;
  for (std::uint32_t seq = 1; seq <= view.count(); ++seq) {
    const auto& m = view.at(seq);
    if (m.expunged) continue;
    std::string message;
    if (bytes) {
      auto read = co_await session.store([&](store::Mailstore& s) { return s.read(m.record.sha256); });
      if (!read && read.error().code == Errc::NotFound) continue;  // expunged by another session meanwhile
      if (!read) co_return no(read.error());
      message = std::move(*read);
    }
    subject.seq = seq;
    subject.record = &m.record;
    subject.bytes = &message;
    subject.recent = view.is_recent(seq);
    if (matches(*key, subject)) found.push_back(command.uid ? m.record.uid : seq);
  }
  if (extended) {
    session.out().untagged(esearch_response(command.tag, command.uid, *extended, found));
  } else {
    std::string numbers;
    for (auto n : found) numbers += " " + std::to_string(n);
    session.out().untagged("SEARCH" + numbers);
  }
  co_return ok("SEARCH completed");
}

}  // namespace mf::server
