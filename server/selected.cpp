#include "server/selected.h"

#include <algorithm>
#include <unordered_map>

namespace mf::server {

SelectedView::SelectedView(store::MailboxInfo info, std::vector<store::MessageRecord> messages, bool read_only,
                           std::vector<std::string> keywords, std::uint32_t recent_from)
    : info_(std::move(info)), read_only_(read_only), keywords_(std::move(keywords)) {
  messages_.reserve(messages.size());
  for (auto& m : messages) {
    if (m.uid >= recent_from && recent_from != kNoRecent) recent_.insert(m.uid);
    learn_keywords(m.flags);
    messages_.push_back(ViewMessage{std::move(m), false});
  }
}

std::vector<std::string> SelectedView::flags_of(std::uint32_t seq) const {
  auto flags = at(seq).record.flags;
  if (is_recent(seq)) flags.push_back("\\Recent");
  return flags;
}

std::uint32_t SelectedView::recent_count() const {
  std::uint32_t n = 0;
  for (const auto& m : messages_) n += !m.expunged && recent_.count(m.record.uid);
  return n;
}

bool SelectedView::learn_keywords(const std::vector<std::string>& flags) {
  bool learned = false;
  for (const auto& f : flags)
    if (!f.empty() && f.front() != '\\' && !store::has_flag(keywords_, f)) {
      keywords_.push_back(f);
      learned = true;
    }
  return learned;
}

bool SelectedView::apply(const std::vector<store::Changed>& changed) {
  std::unordered_map<std::uint32_t, const store::Changed*> by_uid;
  bool learned = false;
  for (const auto& c : changed) {
    by_uid[c.uid] = &c;
    learned |= learn_keywords(c.flags);
  }
  for (auto& m : messages_)
    if (auto it = by_uid.find(m.record.uid); it != by_uid.end()) {
      m.record.flags = it->second->flags;
      m.record.modseq = it->second->modseq;
    }
  return learned;
}

std::string SelectedView::flags_text() const {
  std::string out = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";
  for (const auto& k : keywords_) out += " " + k;
  return out;
}

ViewChanges SelectedView::update(store::MailboxInfo info, std::vector<store::MessageRecord> now,
                                 bool expunges_allowed, std::uint32_t recent_from) {
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
      out.keywords_changed |= learn_keywords(fresh.flags);
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
      if (m.uid >= recent_from && recent_from != kNoRecent) recent_.insert(m.uid);
      out.keywords_changed |= learn_keywords(m.flags);
      messages_.push_back(ViewMessage{m, false});
      flags_changed.push_back(false);
      added = true;
    }
  for (std::size_t i = 0; i < flags_changed.size(); ++i)
    if (flags_changed[i]) out.flag_seqs.push_back(static_cast<std::uint32_t>(i + 1));
  // RFC 9051 §7.4.1: EXISTS when the count grew; an EXPUNGE says it shrank.
  if (added) {
    out.exists = count();
    out.recent = recent_count();
  }
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

Result<std::vector<std::uint32_t>> SelectedView::named(const imap::Value& set, bool uid) const {
  if (set.is_atom("$")) {
    std::vector<std::uint32_t> out;
    for (std::uint32_t seq = 1; seq <= count(); ++seq)
      if (std::binary_search(saved_.begin(), saved_.end(), at(seq).record.uid)) out.push_back(seq);
    return out;
  }
  if (!set.is_atom()) return make_error(Errc::Protocol, "a sequence set is an atom: " + set.display());
  MF_TRY(parsed, imap::SequenceSet::parse(set.text));
  if (!uid && out_of_range(parsed)) return make_error(Errc::Protocol, "no such message number");
  return resolve(parsed, uid);
}

void SelectedView::save_result(std::vector<std::uint32_t> uids) {
  std::sort(uids.begin(), uids.end());
  saved_ = std::move(uids);
}

}  // namespace mf::server
