// A session's view of its selected mailbox (RFC 9051 §2.3.1.2): messages by
// sequence number, and how the view catches up with what other sessions
// committed. Pure: no I/O, so the rules are unit-tested.
#pragma once

#include "imap/sequence_set.h"
#include "store/mailstore.h"

#include <cstdint>
#include <string>
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
};

class SelectedView {
 public:
  SelectedView(store::MailboxInfo info, std::vector<store::MessageRecord> messages, bool read_only);

  // Takes the store's current messages. With expunges_allowed false
  // (RFC 9051 §7.5.1: not while answering FETCH, STORE or SEARCH) removed
  // messages stay in the view, marked, and keep their sequence numbers.
  ViewChanges update(store::MailboxInfo info, std::vector<store::MessageRecord> now, bool expunges_allowed);

  // Drops the messages update() kept marked, for the EXPUNGE responses now allowed.
  ViewChanges release_expunges();

  // Sequence numbers (1-based) of the messages a set names; uid: a UID set.
  // "*" is the last message (RFC 9051 §6.4.8: in a UID set, the highest UID).
  std::vector<std::uint32_t> resolve(const imap::SequenceSet& set, bool uid) const;
  // Whether a sequence set names a number past the last message (a BAD for non-UID commands).
  bool out_of_range(const imap::SequenceSet& set) const;

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
};

}  // namespace mf::server
