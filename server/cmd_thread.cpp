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
  auto key = parse_search_in(command.args[1], {command.args.begin() + 2, command.args.end()});
  if (!key && key.error().code == Errc::Usage) co_return no(key.error().message, "BADCHARSET (US-ASCII UTF-8)");
  if (!key) co_return bad(key.error().message);
  auto seqs = co_await search_selected(session, *key);
  if (!seqs) co_return no(seqs.error());
  auto& view = session.selected();
  std::vector<ThreadMessage> messages;
  auto read = co_await each_message(session, *seqs, [&](std::uint32_t seq, const std::string& bytes) {
    const auto& record = view.at(seq).record;
    messages.push_back(thread_message(command.uid ? record.uid : seq, seq, sort_values(seq, record, bytes).date, bytes));
  });
  if (!read) co_return no(read.error());
  session.out().untagged("THREAD " + (references ? thread_references(std::move(messages))
                                                 : thread_ordered_subject(std::move(messages))));
  co_return ok("THREAD completed");
}

}  // namespace mf::server
