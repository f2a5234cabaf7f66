#include "server/commands.h"

#include "server/search_keys.h"
#include "server/selected_reads.h"
#include "server/sort_keys.h"

#include <algorithm>

namespace mf::server {

// RFC 5256 §3 (SORT, UID SORT) with RFC 5957's DISPLAYFROM and DISPLAYTO:
// the messages the search keys match, in the criteria's order.
net::Task<Result<Reply>> cmd_sort(Session& session, imap::Command& command) {
  if (command.args.size() < 3) co_return bad("SORT takes (criteria), a charset and search keys");
  MF_CO_TRY_OR_BAD(criteria, parse_sort_criteria(command.args[0]));
  auto key = parse_search_in(command.args[1], {command.args.begin() + 2, command.args.end()});
  if (!key && key.error().code == Errc::Usage) co_return no(key.error().message, "BADCHARSET (US-ASCII UTF-8)");
  if (!key) co_return bad(key.error().message);
  auto seqs = co_await search_selected(session, *key);
  if (!seqs) co_return no(seqs.error());
  auto& view = session.selected();
  bool headers = std::any_of(criteria.begin(), criteria.end(), [](const SortCriterion& c) {
    return c.key != SortCriterion::Key::Arrival && c.key != SortCriterion::Key::Size;
  });
  std::vector<SortValues> values;
  auto add = [&](std::uint32_t seq, const std::string& bytes) { values.push_back(sort_values(seq, view.at(seq).record, bytes)); };
  if (headers) {
    auto read = co_await each_message(session, *seqs, add);
    if (!read) co_return no(read.error());
  } else {
    for (auto seq : *seqs) add(seq, {});
  }
  std::stable_sort(values.begin(), values.end(),
                   [&](const SortValues& a, const SortValues& b) { return sorts_before(criteria, a, b); });
  std::string line = "SORT";
  for (const auto& v : values) line += " " + std::to_string(command.uid ? view.at(v.seq).record.uid : v.seq);
  session.out().untagged(line);
  co_return ok("SORT completed");
}

}  // namespace mf::server
