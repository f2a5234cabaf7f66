#include "server/selected.h"

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::server;

namespace {

store::MessageRecord record(std::uint32_t uid, std::uint64_t modseq, std::vector<std::string> flags = {}) {
  store::MessageRecord r;
  r.uid = uid;
  r.modseq = modseq;
  r.flags = std::move(flags);
  return r;
}

store::MailboxInfo info(std::uint64_t modseq) {
  store::MailboxInfo i;
  i.highestmodseq = modseq;
  return i;
}

}  // namespace

TEST_CASE("a view tells of expunges highest first and new messages by EXISTS and flag changes", "[server][view]") {
  SelectedView view(info(1), {record(1, 1), record(2, 1), record(3, 1), record(4, 1)}, false, {}, 100);
  auto changes = view.update(info(5), {record(1, 1), record(3, 4, {"\\Seen"}), record(5, 5)}, true, 100);
  CHECK(changes.expunged_seqs == std::vector<std::uint32_t>{4, 2});  // each valid when sent
  CHECK(changes.exists == 3);
  CHECK(changes.flag_seqs == std::vector<std::uint32_t>{2});  // UID 3, now message 2
  REQUIRE(view.count() == 3);
  CHECK(view.at(3).record.uid == 5);
  auto nothing = view.update(info(5), {record(1, 1), record(3, 4, {"\\Seen"}), record(5, 5)}, true, 100);
  CHECK(nothing.expunged_seqs.empty());
  CHECK(nothing.exists == 0);
  CHECK(nothing.flag_seqs.empty());
}

TEST_CASE("while EXPUNGE may not be sent the view keeps the numbers it gave", "[server][view]") {
  SelectedView view(info(1), {record(1, 1), record(2, 1), record(3, 1)}, false, {}, 100);
  // RFC 9051 §7.5.1: not while answering FETCH, STORE or SEARCH.
  auto held = view.update(info(3), {record(1, 1), record(3, 1), record(4, 3)}, false, 100);
  CHECK(held.expunged_seqs.empty());
  CHECK(held.exists == 4);
  REQUIRE(view.count() == 4);
  CHECK(view.at(2).expunged);
  CHECK(view.at(3).record.uid == 3);
  auto later = view.update(info(3), {record(1, 1), record(3, 1), record(4, 3)}, true, 100);
  CHECK(later.expunged_seqs == std::vector<std::uint32_t>{2});
  CHECK(later.exists == 0);  // the EXPUNGE says the count fell
  CHECK(view.count() == 3);
  // Nothing changed since, but an expunge held back is told as soon as it may be.
  view.update(info(4), {record(1, 1), record(4, 3)}, false, 100);
  CHECK(view.at(2).expunged);
  auto released = view.release_expunges();
  CHECK(released.expunged_seqs == std::vector<std::uint32_t>{2});
  CHECK(view.count() == 2);
}

TEST_CASE("sequence sets resolve against the view with star the last message", "[server][view]") {
  SelectedView view(info(1), {record(3, 1), record(7, 1), record(9, 1)}, false, {}, 100);
  CHECK(view.resolve(*imap::SequenceSet::parse("2:*"), false) == std::vector<std::uint32_t>{2, 3});
  CHECK(view.resolve(*imap::SequenceSet::parse("4:8"), true) == std::vector<std::uint32_t>{2});
  // RFC 9051 §6.4.8: "100:*" in a UID set names the last message even when its UID is lower.
  CHECK(view.resolve(*imap::SequenceSet::parse("100:*"), true) == std::vector<std::uint32_t>{3});
  CHECK(view.out_of_range(*imap::SequenceSet::parse("4")));
  CHECK_FALSE(view.out_of_range(*imap::SequenceSet::parse("1:*")));
  SelectedView empty(info(1), {}, false, {}, 1);
  CHECK(empty.resolve(*imap::SequenceSet::parse("1:*"), true).empty());
}

TEST_CASE("recent messages are the session's own and new keywords call for FLAGS again", "[server][view]") {
  SelectedView view(info(1), {record(1, 1), record(2, 1, {"$Work"}), record(3, 1)}, false, {}, 3);
  CHECK(view.recent_count() == 1);
  CHECK(view.flags_of(3) == std::vector<std::string>{"\\Recent"});
  CHECK(view.flags_of(2) == std::vector<std::string>{"$Work"});
  CHECK(view.flags_text() == "\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work");
  auto arrived = view.update(info(3), {record(1, 1), record(2, 1, {"$Work"}), record(3, 1), record(4, 3, {"$New"})},
                             true, 4);
  CHECK(arrived.exists == 4);
  CHECK(arrived.recent == 2);
  CHECK(arrived.keywords_changed);
  CHECK_FALSE(view.learn_keywords({"$new", "\\Seen"}));  // known already, in any case
  CHECK(view.learn_keywords({"Later"}));
}
