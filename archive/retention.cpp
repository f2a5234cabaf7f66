// Retention policy and legal holds
// (docs/archive.md, docs/formats/archive.md).
#include "archive/archive.h"
#include "archive/detail/catalog.h"
#include "archive/detail/message_view.h"
#include "core/crash_point.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

namespace mf::archive {

using namespace detail;
using nlohmann::json;
namespace fs = std::filesystem;

Result<void> Archive::load_policy() {
  MF_TRY(q, db_->prepare("SELECT value FROM meta WHERE key = 'policy'"));
  MF_TRY(row, q.step());
  if (!row) {
    policy_ = std::make_unique<Policy>(Policy::standard());
    return {};
  }
  MF_TRY(parsed, Policy::parse(q.column_text(0)));
  policy_ = std::make_unique<Policy>(std::move(parsed));
  return {};
}

Result<Policy> Archive::policy() { return *policy_; }

Result<void> Archive::each_message(const std::string& condition, std::int64_t param,
                                   const std::function<Result<void>(MessageView&)>& visit) {
  MF_TRY(q, db_->prepare("SELECT m.seq, lower(hex(m.sha256)), m.raw_size, m.date, m.retain_until, e.time, b.account, b.folder, "
                         "p.internaldate FROM messages m JOIN events e ON e.seq = m.event LEFT JOIN placements p ON "
                         "p.message = m.seq LEFT JOIN mailboxes b ON b.id = p.mailbox WHERE " + condition +
                         " ORDER BY m.seq"));
  q.bind(1, param);
  MessageView view;
  for (;;) {
    MF_TRY(row, q.step());
    if (!row || q.column_int(0) != view.seq) {
      if (view.seq != 0) MF_CHECK(visit(view));
      if (!row) break;
      view = MessageView{};
      view.seq = q.column_int(0);
      view.sha256 = q.column_text(1);
      view.size = q.column_int(2);
      view.date = q.column_int(3);
      view.retain_until = q.column_int(4);
      view.ingested = q.column_int(5);
    }
    if (!q.column_is_null(6)) view.placements.push_back({q.column_text(6), q.column_text(7), q.column_int(8)});
  }
  return {};
}

Result<std::uint64_t> Archive::set_policy(const Policy& next) {
  MF_TRY(writing, begin_write());  // the policy checked against is the one in force
  if (auto why = policy_->shortens(next); !why.empty())
    return make_error(Errc::Usage, "retention can be lengthened, never shortened: " + why, dir_);
  // Every message's retention under the new policy; only rises are recorded.
  json raised = json::array();
  MF_CHECK(each_message("m.purged IS NULL AND ?1 = ?1", 0, [&](MessageView& m) -> Result<void> {
    if (!m.headers) {
      MF_TRY(head, head_of(m.seq));
      m.headers.emplace(head);
    }
    Retention best{"", m.retain_until};
    for (const auto& p : m.placements) {
      auto r = next.retention(PlacementFacts{p.account, p.folder, *m.headers},
                              retention_basis(m.date, p.internaldate, m.ingested));
      if (r.until > best.until) best = r;
    }
    if (best.until > m.retain_until) raised.push_back({m.seq, best.class_name, best.until});
    return {};
  }));
  std::uint64_t count = raised.size();
  MF_CHECK(record("policy", {{"policy", json::parse(next.json_text())}, {"raised", std::move(raised)}, {"user", actor_}}));
  policy_ = std::make_unique<Policy>(next);
  return count;
}

Result<std::vector<std::pair<std::string, HoldQuery>>> Archive::active_holds() {
  std::vector<std::pair<std::string, HoldQuery>> out;
  MF_TRY(q, db_->prepare("SELECT name, query FROM holds WHERE released IS NULL ORDER BY id"));
  MF_CHECK(q.each([&](auto&) -> Result<void> {
    MF_TRY(query, HoldQuery::parse(q.column_text(1)));
    out.emplace_back(q.column_text(0), std::move(query));
    return {};
  }));
  return out;
}

Result<bool> Archive::held(MessageView& m, const std::vector<std::pair<std::string, HoldQuery>>& holds) {
  std::vector<std::pair<std::string, std::string>> where;
  for (const auto& p : m.placements) where.emplace_back(p.account, p.folder);
  for (const auto& [name, query] : holds) {
    if (query.needs_headers() && !m.headers) {
      MF_TRY(head, head_of(m.seq));
      m.headers.emplace(head);
    }
    static const mime::Headers kNone("");
    if (query.matches(where, m.headers ? *m.headers : kNone)) return true;
  }
  return false;
}

Result<std::uint64_t> Archive::add_hold(const std::string& name, const std::string& query_text) {
  if (name.empty()) return make_error(Errc::Usage, "a hold needs a case name");
  MF_TRY(query, HoldQuery::parse(query_text));
  MF_TRY(writing, begin_write());
  MF_TRY(existing, db_->prepare("SELECT 1 FROM holds WHERE name = ?1 AND released IS NULL"));
  existing.bind(1, name);
  MF_TRY(exists, existing.step());
  if (exists) return make_error(Errc::Usage, "a hold for case \"" + name + "\" is already in place", dir_);
  MF_CHECK(record("hold", {{"case", name}, {"query", query_text}, {"user", actor_}}));
  std::uint64_t count = 0;
  std::vector<std::pair<std::string, HoldQuery>> one{{name, std::move(query)}};
  MF_CHECK(each_message("m.purged IS NULL AND ?1 = ?1", 0, [&](MessageView& m) -> Result<void> {
    MF_TRY(is_held, held(m, one));
    count += is_held;
    return {};
  }));
  return count;
}

Result<void> Archive::release_hold(const std::string& name) {
  MF_TRY(writing, begin_write());
  MF_TRY(existing, db_->prepare("SELECT 1 FROM holds WHERE name = ?1 AND released IS NULL"));
  existing.bind(1, name);
  MF_TRY(exists, existing.step());
  if (!exists) return make_error(Errc::NotFound, "no hold for case \"" + name + "\" is in place", dir_);
  return record("release", {{"case", name}, {"user", actor_}});
}

Result<std::vector<Archive::Hold>> Archive::holds() {
  MF_TRY(reading, begin_read());
  std::vector<Hold> out;
  MF_TRY(q, db_->prepare("SELECT name, query, user, time FROM holds WHERE released IS NULL ORDER BY id"));
  MF_CHECK(q.each([&](auto&) {
    out.push_back(Hold{q.column_text(0), q.column_text(1), q.column_text(2), q.column_int(3), 0});
  }));
  MF_TRY(active, active_holds());
  MF_CHECK(each_message("m.purged IS NULL AND ?1 = ?1", 0, [&](MessageView& m) -> Result<void> {
    for (std::size_t i = 0; i < active.size(); ++i) {
      MF_TRY(is_held, held(m, {active[i]}));
      out[i].messages += is_held;
    }
    return {};
  }));
  return out;
}

}  // namespace mf::archive
