#include "server/commands.h"

#include "server/search_keys.h"
#include "server/selected_reads.h"
#include "server/sort_keys.h"
#include "server/thread.h"

namespace mf::server {

// RFC 5256 §4 (THREAD, UID THREAD): ORDEREDSUBJECT or REFERENCES over the
// messages the search keys match.
net::Task<Result<Reply>> cmd_thread(Session& session, imap::Command& command) {
  if (command.args.size() < 3 || !command.args[0].is_atom())
    co_return bad("THREAD takes an algorithm, a charset and search keys");
  bool references = command.args[0].is_atom("REFERENCES");
  if (!references && !command.args[0].is_atom("ORDEREDSUBJECT"))
    co_return bad("THREAD takes ORDEREDSUBJECT or REFERENCES");
  const auto& charset = command.args[1];
  if (!charset.is_astring() || !(imap::iequals(charset.text, "US-ASCII") || imap::iequals(charset.text, "UTF-8")))
    co_return no("only US-ASCII and UTF-8 searches are served", "BADCHARSET (US-ASCII UTF-8)");
  std::vector<imap::Value> keys(command.args.begin() + 2, command.args.end());
  MF_CO_TRY_OR_BAD(key, parse_search(keys));
  auto seqs = co_await search_selected(session, key);
  if (!seqs) co_return no(seqs.error());
  auto& view = session.selected();
  std::vector<ThreadMessage> messages;
  constexpr std::size_t kBatch = 32;  // messages read per trip to the lane
  for (std::size_t start = 0; start < seqs->size(); start += kBatch) {
    std::vector<std::uint32_t> batch(seqs->begin() + start, seqs->begin() + std::min(seqs->size(), start + kBatch));
    auto read = co_await read_messages(session, batch);
    if (!read) co_return no(read.error());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (!(*read)[i]) continue;
      const auto& record = view.at(batch[i]).record;
      auto date = sort_values(batch[i], record, *(*read)[i]).date;
      messages.push_back(thread_message(command.uid ? record.uid : batch[i], batch[i], date, *(*read)[i]));
    }
  }
  session.out().untagged("THREAD " + (references ? thread_references(std::move(messages))
                                                 : thread_ordered_subject(std::move(messages))));
  co_return ok("THREAD completed");
}

}  // namespace mf::server
