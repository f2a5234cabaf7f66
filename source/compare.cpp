#include "source/compare.h"

#include "core/sha256.h"
#include "imap/date.h"
#include "source/flags.h"
#include "source/message_info.h"

#include <algorithm>
#include <map>

namespace mf::source {
namespace {

std::string flags_text(const std::vector<std::string>& flags) {
  std::string out = "(";
  for (std::size_t i = 0; i < flags.size(); ++i) out += (i ? " " : "") + flags[i];
  return out + ")";
}

std::string date_text(const std::optional<std::int64_t>& epoch) {
  return epoch ? imap::format_date_time(imap::DateTime{*epoch, 0}) : "(none)";
}

Difference difference(DifferenceKind kind, const MessageDigest* s, const MessageDigest* t, std::string detail = {}) {
  const MessageDigest& named = s ? *s : *t;
  return Difference{kind, s ? s->uid : 0, t ? t->uid : 0, named.message_id, named.subject, std::move(detail)};
}

// Matches unmatched source and target messages by a key; matched pairs go to on_pair.
template <class Key, class OnPair>
void match_by(std::vector<const MessageDigest*>& sources, std::vector<const MessageDigest*>& targets, Key key,
              OnPair on_pair) {
  std::multimap<std::string, const MessageDigest*> by_key;
  for (const auto* t : targets) by_key.emplace(key(*t), t);
  std::vector<const MessageDigest*> left;
  for (const auto* s : sources) {
    auto k = key(*s);
    auto it = k.empty() ? by_key.end() : by_key.find(k);
    if (it == by_key.end()) {
      left.push_back(s);
      continue;
    }
    on_pair(*s, *it->second);
    by_key.erase(it);
  }
  sources = std::move(left);
  targets.clear();
  for (auto& [k, t] : by_key) targets.push_back(t);
  std::sort(targets.begin(), targets.end(), [](auto* a, auto* b) { return a->uid < b->uid; });
}

}  // namespace

MessageDigest digest_of(const SourceMessage& m) {
  MessageDigest d;
  d.uid = m.uid;
  d.sha256 = to_hex(sha256(m.body));
  d.blind_sha256 = line_ending_blind_hash(m.body);
  d.rewrite_sha256 = rewrite_blind_hash(m.body);
  d.size = m.body.size();
  d.flags = normalized_flags(m.flags);
  if (!m.internaldate.empty())
    if (auto dt = imap::parse_date_time(m.internaldate)) d.internaldate = dt->epoch;
  auto info = read_message_info(m.body);
  d.message_id = std::move(info.message_id);
  d.subject = std::move(info.subject);
  return d;
}

std::string_view difference_name(DifferenceKind kind) {
  switch (kind) {
    case DifferenceKind::Missing: return "missing";
    case DifferenceKind::Extra: return "extra";
    case DifferenceKind::ContentDiffers: return "content-differs";
    case DifferenceKind::LineEndingsDiffer: return "line-endings-differ";
    case DifferenceKind::RewrittenByTarget: return "rewritten-by-target";
    case DifferenceKind::FlagsDiffer: return "flags-differ";
    case DifferenceKind::DateDiffers: return "internaldate-differs";
  }
  return "?";
}

FolderComparison compare_folder(std::vector<MessageDigest> source, std::vector<MessageDigest> target) {
  FolderComparison out;
  out.source_count = source.size();
  out.target_count = target.size();
  auto by_uid = [](auto& a, auto& b) { return a.uid < b.uid; };
  std::sort(source.begin(), source.end(), by_uid);
  std::sort(target.begin(), target.end(), by_uid);
  std::vector<const MessageDigest*> s, t;
  for (const auto& m : source) s.push_back(&m);
  for (const auto& m : target) t.push_back(&m);

  std::vector<Difference> metadata;
  match_by(s, t, [](const MessageDigest& m) { return m.sha256; },
           [&](const MessageDigest& a, const MessageDigest& b) {
             ++out.matched;
             if (!same_flags(a.flags, b.flags))
               metadata.push_back(difference(DifferenceKind::FlagsDiffer, &a, &b,
                                             "source " + flags_text(a.flags) + " target " + flags_text(b.flags)));
             if (a.internaldate != b.internaldate)
               metadata.push_back(difference(DifferenceKind::DateDiffers, &a, &b,
                                             "source " + date_text(a.internaldate) + " target " +
                                                 date_text(b.internaldate)));
           });
  match_by(s, t, [](const MessageDigest& m) { return m.blind_sha256; },
           [&](const MessageDigest& a, const MessageDigest& b) {
             out.differences.push_back(difference(
                 DifferenceKind::LineEndingsDiffer, &a, &b,
                 "same text, line endings differ: source " + std::to_string(a.size) + " bytes, target " +
                     std::to_string(b.size) + " bytes (servers may store CR CR LF as CR LF)"));
           });
  match_by(s, t, [](const MessageDigest& m) { return m.rewrite_sha256; },
           [&](const MessageDigest& a, const MessageDigest& b) {
             out.differences.push_back(difference(
                 DifferenceKind::RewrittenByTarget, &a, &b,
                 "the target changed bytes servers are known to rewrite (a CR inside a line, 8-bit header bytes): "
                 "source " + std::to_string(a.size) + " bytes, target " + std::to_string(b.size) + " bytes"));
           });
  match_by(s, t, [](const MessageDigest& m) { return m.message_id; },
           [&](const MessageDigest& a, const MessageDigest& b) {
             out.differences.push_back(difference(DifferenceKind::ContentDiffers, &a, &b,
                                                  "same Message-ID, different bytes: source " + a.sha256.substr(0, 12) +
                                                      " (" + std::to_string(a.size) + " bytes), target " +
                                                      b.sha256.substr(0, 12) + " (" + std::to_string(b.size) +
                                                      " bytes)"));
           });
  for (const auto* m : s)
    out.differences.push_back(difference(DifferenceKind::Missing, m, nullptr, "not on the target"));
  for (const auto* m : t)
    out.differences.push_back(difference(DifferenceKind::Extra, nullptr, m, "only on the target"));
  for (auto& d : metadata) out.differences.push_back(std::move(d));
  return out;
}

}  // namespace mf::source
