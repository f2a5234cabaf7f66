// What an export reads of the archive besides the messages: the message
// tree its proofs lead to, and each message's manifest record.
#include "archive/archive.h"
#include "archive/detail/catalog.h"
#include "archive/detail/message_view.h"

#include <nlohmann/json.hpp>

namespace mf::archive {

using json = nlohmann::json;

Result<MerkleTree> Archive::message_tree(std::int64_t messages) {
  MF_TRY(reading, begin_read());
  std::vector<Digest> leaves;
  leaves.reserve(static_cast<std::size_t>(std::max<std::int64_t>(messages, 0)));
  MF_TRY(q, db_->prepare("SELECT seq, lower(hex(sha256)) FROM messages WHERE seq <= ?1 ORDER BY seq"));
  q.bind(1, messages);
  MF_CHECK(q.each([&](auto&) -> Result<void> {
    std::int64_t number = q.column_int(0);
    if (number != static_cast<std::int64_t>(leaves.size()) + 1)
      return make_error(Errc::Corrupt, "the catalog has no message " + std::to_string(leaves.size() + 1), dir_);
    leaves.push_back(merkle_leaf_hash(message_leaf(number, q.column_text(1))));
    return {};
  }));
  if (static_cast<std::int64_t>(leaves.size()) != messages)
    return make_error(Errc::Corrupt,
                      "the catalog holds " + std::to_string(leaves.size()) + " messages, not " + std::to_string(messages),
                      dir_);
  return MerkleTree(std::move(leaves));
}

Result<std::optional<Archive::Record>> Archive::record_of(std::int64_t message) {
  MF_TRY(reading, begin_read());
  MF_TRY(q, db_->prepare("SELECT lower(hex(sha256)), raw_size, date, retain_until, class, purged IS NOT NULL "
                         "FROM messages WHERE seq = ?1"));
  q.bind(1, message);
  MF_TRY(row, q.step());
  if (!row) return std::optional<Record>{};
  Record r;
  r.message = message;
  r.sha256 = q.column_text(0);
  r.size = q.column_int(1);
  r.date = q.column_int(2);
  r.retain_until = q.column_int(3);
  r.class_name = q.column_text(4);
  r.purged = q.column_int(5) != 0;
  MF_TRY(p, db_->prepare("SELECT b.account, b.folder, p.class, p.flags, p.internaldate FROM placements p "
                         "JOIN mailboxes b ON b.id = p.mailbox WHERE p.message = ?1 ORDER BY b.account, b.folder, p.copy"));
  p.bind(1, message);
  MF_CHECK(p.each([&](auto&) -> Result<void> {
    auto flags = json::parse(p.column_text(3), nullptr, false);
    if (!flags.is_array()) return make_error(Errc::Corrupt, "message " + std::to_string(message) + ": flags unreadable", dir_);
    Record::Where where{p.column_text(0), p.column_text(1), p.column_text(2), {}, p.column_int(4)};
    for (const auto& f : flags) where.flags.push_back(f.is_string() ? f.get<std::string>() : f.dump());
    r.placements.push_back(std::move(where));
    return {};
  }));
  if (r.purged) return std::optional<Record>{std::move(r)};
  MF_TRY(active, active_holds());
  if (!active.empty()) {
    MessageView view;
    view.seq = message;
    view.sha256 = r.sha256;
    view.size = r.size;
    view.date = r.date;
    for (const auto& w : r.placements) view.placements.push_back({w.account, w.folder, w.internaldate});
    for (const auto& hold : active) {
      MF_TRY(is_held, held(view, {hold}));
      if (is_held) r.holds.push_back(hold.first);
    }
  }
  return std::optional<Record>{std::move(r)};
}

}  // namespace mf::archive
