#include "server/commands.h"

#include "imap/sequence_set.h"
#include "server/search_keys.h"
#include "server/selected_reads.h"

#include <algorithm>
#include <optional>

namespace mf::server {

namespace {

// RFC 4731 §3.1: SEARCH RETURN (MIN MAX ALL COUNT); "RETURN ()" is ALL;
// SAVE keeps the result for "$" (RFC 5182 §2.1).
struct ReturnOptions {
  bool min = false, max = false, all = false, count = false, save = false;
};

Result<ReturnOptions> return_options(const imap::Value& list) {
  if (!list.is_list()) return make_error(Errc::Protocol, "RETURN takes a list of options");
  ReturnOptions r;
  for (const auto& o : list.items) {
    if (o.is_atom("MIN")) r.min = true;
    else if (o.is_atom("MAX")) r.max = true;
    else if (o.is_atom("ALL")) r.all = true;
    else if (o.is_atom("COUNT")) r.count = true;
    else if (o.is_atom("SAVE")) r.save = true;
    else return make_error(Errc::Protocol, "unknown SEARCH return option " + o.display());
  }
  if (list.items.empty()) r.all = true;
  return r;
}

// RFC 5182 §2.4: with MIN or MAX but neither ALL nor COUNT, SAVE keeps just those.
std::vector<std::uint32_t> saved_part(const ReturnOptions& r, const std::vector<std::uint32_t>& found) {
  if (found.empty() || r.all || r.count || !(r.min || r.max)) return found;
  std::vector<std::uint32_t> out;
  if (r.min) out.push_back(found.front());
  if (r.max && (!r.min || found.size() > 1)) out.push_back(found.back());
  return out;
}

// RFC 4731 §3.1: the return data asked for; MIN, MAX and ALL only when
// something matched. modseqs (parallel to found, when the search had a
// MODSEQ key): RFC 7162 §3.1.5 adds the highest mod-sequence of what is
// returned, of the MIN and MAX messages alone when neither ALL nor COUNT is.
std::string esearch_response(const std::string& tag, bool uid, const ReturnOptions& r,
                             const std::vector<std::uint32_t>& found, const std::vector<std::uint64_t>* modseqs) {
  std::string out = "ESEARCH (TAG \"" + tag + "\")";
  if (uid) out += " UID";
  if (!found.empty()) {
    if (r.min) out += " MIN " + std::to_string(found.front());
    if (r.max) out += " MAX " + std::to_string(found.back());
    if (r.all) out += " ALL " + imap::SequenceSet::from_numbers(found).to_string();
  }
  if (r.count) out += " COUNT " + std::to_string(found.size());
  if (modseqs && !found.empty()) {
    std::uint64_t highest = 0;
    if (r.all || r.count || !(r.min || r.max)) {
      highest = *std::max_element(modseqs->begin(), modseqs->end());
    } else {
      if (r.min) highest = std::max(highest, modseqs->front());
      if (r.max) highest = std::max(highest, modseqs->back());
    }
    out += " MODSEQ " + std::to_string(highest);
  }
  return out;
}

}  // namespace

// RFC 3501 §6.4.4, and ESEARCH's form (RFC 4731) when RETURN is given or
// the client enabled IMAP4rev2 (RFC 9051 §6.4.4, §7.3.4). UID SEARCH
// answers UIDs (§6.4.8). Found numbers ascend: the view is in order.
net::Task<Result<Reply>> cmd_search(Session& session, imap::Command& command) {
  std::optional<ReturnOptions> extended;
  if (session.rev2()) extended = ReturnOptions{.all = true};
  auto& view = session.selected();
  if (command.args.size() >= 2 && command.args[0].is_atom("RETURN")) {
    auto options = return_options(command.args[1]);
    if (!options) {
      view.save_result({});  // RFC 5182 §2.1: a failed SEARCH leaves "$" empty
      co_return bad(options.error().message);
    }
    extended = *options;
    command.args.erase(command.args.begin(), command.args.begin() + 2);
  }
  bool save = extended && extended->save;
  auto key = parse_search(command.args);
  if (!key && save) view.save_result({});
  if (!key && key.error().code == Errc::Usage) co_return no(key.error().message, "BADCHARSET (US-ASCII UTF-8)");
  if (!key) co_return bad(key.error().message);
  bool with_modseq = uses_modseq(*key);
  if (with_modseq) session.enable_condstore();  // RFC 7162 §3.1: CONDSTORE-enabling
  auto seqs = co_await search_selected(session, *key);
  if (!seqs) co_return no(seqs.error());
  std::vector<std::uint32_t> found;
  std::vector<std::uint64_t> modseqs;  // of the found messages
  for (auto seq : *seqs) {
    found.push_back(command.uid ? view.at(seq).record.uid : seq);
    modseqs.push_back(view.at(seq).record.modseq);
  }
  if (save) {
    std::vector<std::uint32_t> uids;
    for (auto n : saved_part(*extended, found)) uids.push_back(command.uid ? n : view.at(n).record.uid);
    view.save_result(std::move(uids));
  }
  bool only_save = save && !extended->min && !extended->max && !extended->all && !extended->count;
  if (only_save) {
    // RFC 5182 §2.4: SAVE alone answers no ESEARCH.
  } else if (extended) {
    session.out().untagged(esearch_response(command.tag, command.uid, *extended, found, with_modseq ? &modseqs : nullptr));
  } else {
    std::string numbers;
    for (auto n : found) numbers += " " + std::to_string(n);
    // RFC 7162 §3.1.5: "* SEARCH 2 5 (MODSEQ 917162500)".
    if (with_modseq && !found.empty())
      numbers += " (MODSEQ " + std::to_string(*std::max_element(modseqs.begin(), modseqs.end())) + ")";
    session.out().untagged("SEARCH" + numbers);
  }
  co_return ok("SEARCH completed");
}

}  // namespace mf::server
