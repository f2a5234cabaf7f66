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
  const auto& charset = command.args[1];
  if (!charset.is_astring() || !(imap::iequals(charset.text, "US-ASCII") || imap::iequals(charset.text, "UTF-8")))
    co_return no("only US-ASCII and UTF-8 searches are served", "BADCHARSET (US-ASCII UTF-8)");
  std::vector<imap::Value> keys(command.args.begin() + 2, command.args.end());
  MF_CO_TRY_OR_BAD(key, parse_search(keys));
  auto seqs = co_await search_selected(session, key);
  if (!seqs) co_return no(seqs.error());
  auto& view = session.selected();
  bool headers = std::any_of(criteria.begin(), criteria.end(), [](const SortCriterion& c) {
    return c.key != SortCriterion::Key::Arrival && c.key != SortCriterion::Key::Size;
  });
  std::vector<SortValues> values;
  constexpr std::size_t kBatch = 32;  // messages read per trip to the lane
  for (std::size_t start = 0; start < seqs->size(); start += kBatch) {
    std::vector<std::uint32_t> batch(seqs->begin() + start, seqs->begin() + std::min(seqs->size(), start + kBatch));
    std::vector<std::optional<std::string>> messages(batch.size(), std::string());
    if (headers) {
      auto read = co_await read_messages(session, batch);
      if (!read) co_return no(read.error());
      messages = std::move(*read);
    }
    for (std::size_t i = 0; i < batch.size(); ++i)
      if (messages[i]) values.push_back(sort_values(batch[i], view.at(batch[i]).record, *messages[i]));
  }
  std::stable_sort(values.begin(), values.end(),
                   [&](const SortValues& a, const SortValues& b) { return sorts_before(criteria, a, b); });
  std::string line = "SORT";
  for (const auto& v : values) line += " " + std::to_string(command.uid ? view.at(v.seq).record.uid : v.seq);
  session.out().untagged(line);
  co_return ok("SORT completed");
}

}  // namespace mf::server
