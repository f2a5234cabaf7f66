// A session's view of its selected mailbox (RFC 9051 §2.3.1.2): messages by
// sequence number, and how the view catches up with what other sessions
// committed. Pure: no I/O, so the rules are unit-tested.
#pragma once

#include "imap/sequence_set.h"
#include "imap/value.h"
#include "store/mailstore.h"

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

namespace mf::server {

struct ViewMessage {
  store::MessageRecord record;
  bool expunged = false;  // gone from the store, kept until an EXPUNGE may be sent
};

// What a client must be told so that its view matches the store's.
struct ViewChanges {
  std::vector<std::uint32_t> expunged_seqs;  // in the order to send them (highest first)
  std::uint32_t exists = 0;                  // the new count, when messages arrived
  std::vector<std::uint32_t> flag_seqs;      // seq numbers (after the expunges) whose flags changed
  std::uint32_t recent = 0;                  // the new \Recent count, when messages arrived
  bool keywords_changed = false;             // FLAGS and PERMANENTFLAGS are to be sent again (RFC 9051 §7.3.5)
};

class SelectedView {
 public:
  // recent_from for a session that shows no \Recent (IMAP4rev2, RFC 9051 Appendix E).
  static constexpr std::uint32_t kNoRecent = 0xFFFFFFFF;

  // recent_from: the messages from this UID on are \Recent to this session
  // (what Mailstore::claim_recent gave; EXAMINE claims nothing, RFC 3501 §6.3.2).
  SelectedView(store::MailboxInfo info, std::vector<store::MessageRecord> messages, bool read_only,
               std::vector<std::string> keywords, std::uint32_t recent_from);

  // Takes the store's current messages. With expunges_allowed false
  // (RFC 9051 §7.5.1: not while answering FETCH, STORE or SEARCH) removed
  // messages stay in the view, marked, and keep their sequence numbers.
  // recent_from as for the constructor, for the messages that arrived.
  ViewChanges update(store::MailboxInfo info, std::vector<store::MessageRecord> now, bool expunges_allowed,
                     std::uint32_t recent_from);

  // Drops the messages update() kept marked, for the EXPUNGE responses now allowed.
  ViewChanges release_expunges();

  // Sequence numbers (1-based) of the messages a set names; uid: a UID set.
  // "*" is the last message (RFC 9051 §6.4.8: in a UID set, the highest UID).
  std::vector<std::uint32_t> resolve(const imap::SequenceSet& set, bool uid) const;
  // Whether a sequence set names a number past the last message (a BAD for non-UID commands).
  bool out_of_range(const imap::SequenceSet& set) const;
  // Sequence numbers of what a command's set argument names: a sequence set
  // (uid: of UIDs), or "$", the saved search result (RFC 5182 §2.1: its
  // messages still here). Errc::Protocol (a BAD) for a malformed set, and in
  // a non-UID command for a number past the last message.
  Result<std::vector<std::uint32_t>> named(const imap::Value& set, bool uid) const;
  // SEARCH RETURN (SAVE): what "$" stands for until the mailbox is closed (RFC 5182 §2.1).
  void save_result(std::vector<std::uint32_t> uids);
  const std::vector<std::uint32_t>& saved() const { return saved_; }  // UIDs, ascending

  // A message's flags as this session shows them: \Recent added when it is its.
  std::vector<std::string> flags_of(std::uint32_t seq) const;
  bool is_recent(std::uint32_t seq) const { return recent_.count(at(seq).record.uid) > 0; }
  std::uint32_t recent_count() const;
  // Takes in what a STORE changed (new flags and modseqs; they may hold
  // keywords other sessions set); true when FLAGS must be sent again.
  bool apply(const std::vector<store::Changed>& changed);
  // Takes in the keywords of flags a STORE set; true when FLAGS must be sent again.
  bool learn_keywords(const std::vector<std::string>& flags);
  // "\Answered \Flagged \Deleted \Seen \Draft" and the mailbox's keywords (FLAGS, PERMANENTFLAGS).
  std::string flags_text() const;

  std::uint32_t count() const { return static_cast<std::uint32_t>(messages_.size()); }
  ViewMessage& at(std::uint32_t seq) { return messages_[seq - 1]; }
  const ViewMessage& at(std::uint32_t seq) const { return messages_[seq - 1]; }
  const store::MailboxInfo& info() const { return info_; }
  bool read_only() const { return read_only_; }
  std::uint64_t highestmodseq() const { return info_.highestmodseq; }

 private:
  store::MailboxInfo info_;
  std::vector<ViewMessage> messages_;
  bool read_only_;
  std::vector<std::string> keywords_;
  std::unordered_set<std::uint32_t> recent_;  // UIDs
  std::vector<std::uint32_t> saved_;           // UIDs (RFC 5182): a new view starts with none
};

}  // namespace mf::server
