#include "server/selected.h"

#include <algorithm>
#include <unordered_map>

namespace mf::server {

SelectedView::SelectedView(store::MailboxInfo info, std::vector<store::MessageRecord> messages, bool read_only)
    : info_(std::move(info)), read_only_(read_only) {
  messages_.reserve(messages.size());
  for (auto& m : messages) messages_.push_back(ViewMessage{std::move(m), false});
}

ViewChanges SelectedView::update(store::MailboxInfo info, std::vector<store::MessageRecord> now,
                                 bool expunges_allowed) {
  info_ = std::move(info);
  ViewChanges out;
  std::unordered_map<std::uint32_t, std::size_t> index;  // uid -> position in now
  index.reserve(now.size());
  for (std::size_t i = 0; i < now.size(); ++i) index.emplace(now[i].uid, i);
  std::uint32_t last_uid = messages_.empty() ? 0 : messages_.back().record.uid;

  // Flags first, on the old numbering; expunges then shift what follows.
  std::vector<bool> flags_changed(messages_.size(), false);
  for (std::size_t i = 0; i < messages_.size(); ++i) {
    auto it = index.find(messages_[i].record.uid);
    if (it == index.end()) {
      messages_[i].expunged = true;
      continue;
    }
    auto& fresh = now[it->second];
    if (fresh.modseq != messages_[i].record.modseq) {
      flags_changed[i] = fresh.flags != messages_[i].record.flags;
      messages_[i].record = fresh;
    }
  }
  if (expunges_allowed) {
    std::vector<ViewMessage> kept;
    std::vector<bool> kept_changed;
    for (std::size_t i = messages_.size(); i-- > 0;)
      if (messages_[i].expunged) out.expunged_seqs.push_back(static_cast<std::uint32_t>(i + 1));
    for (std::size_t i = 0; i < messages_.size(); ++i)
      if (!messages_[i].expunged) {
        kept.push_back(std::move(messages_[i]));
        kept_changed.push_back(flags_changed[i]);
      }
    messages_ = std::move(kept);
    flags_changed = std::move(kept_changed);
  }
  bool added = false;
  for (auto& m : now)
    if (m.uid > last_uid) {
      messages_.push_back(ViewMessage{m, false});
      flags_changed.push_back(false);
      added = true;
    }
  for (std::size_t i = 0; i < flags_changed.size(); ++i)
    if (flags_changed[i]) out.flag_seqs.push_back(static_cast<std::uint32_t>(i + 1));
  // RFC 9051 §7.4.1: EXISTS when the count grew; an EXPUNGE says it shrank.
  if (added) out.exists = count();
  return out;
}

ViewChanges SelectedView::release_expunges() {
  ViewChanges out;
  for (std::size_t i = messages_.size(); i-- > 0;)
    if (messages_[i].expunged) {
      out.expunged_seqs.push_back(static_cast<std::uint32_t>(i + 1));
      messages_.erase(messages_.begin() + static_cast<long>(i));
    }
  return out;
}

std::vector<std::uint32_t> SelectedView::resolve(const imap::SequenceSet& set, bool uid) const {
  std::vector<std::uint32_t> out;
  if (messages_.empty()) return out;
  std::uint32_t star = uid ? messages_.back().record.uid : count();
  for (std::uint32_t seq = 1; seq <= count(); ++seq)
    if (set.contains(uid ? at(seq).record.uid : seq, star)) out.push_back(seq);
  return out;
}

bool SelectedView::out_of_range(const imap::SequenceSet& set) const {
  for (auto [low, high] : set.ranges()) {
    // '*' is always in range when there is a message; 0 messages: any number is out.
    if (messages_.empty()) return true;
    if ((low != imap::SequenceSet::kStar && low > count()) || (high != imap::SequenceSet::kStar && high > count()))
      return true;
  }
  return false;
}

}  // namespace mf::server
