#include "migrate/state.h"

#include <ctime>
#include <unistd.h>

namespace mf::migrate {
namespace {

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', '2');
CREATE TABLE IF NOT EXISTS folders(
  id INTEGER PRIMARY KEY,
  account TEXT NOT NULL,
  source_name TEXT NOT NULL,
  source_uidvalidity INTEGER NOT NULL,
  target_name TEXT NOT NULL,
  target_uidvalidity INTEGER,
  source_highestmodseq INTEGER,
  source_uidnext INTEGER,
  source_messages INTEGER,
  UNIQUE(account, source_name));
CREATE TABLE IF NOT EXISTS messages(
  folder_id INTEGER NOT NULL REFERENCES folders(id),
  source_uid INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  target_uid INTEGER,
  target_floor INTEGER,
  pending_since INTEGER,
  blind_sha256 TEXT,
  state TEXT NOT NULL CHECK (state IN ('pending', 'copied')),
  PRIMARY KEY(folder_id, source_uid));
CREATE INDEX IF NOT EXISTS messages_by_folder_state ON messages(folder_id, state, source_uid);
CREATE TABLE IF NOT EXISTS local_folders(scope TEXT PRIMARY KEY, next_uid INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS local_uids(
  scope TEXT NOT NULL REFERENCES local_folders(scope),
  key TEXT NOT NULL,
  uid INTEGER NOT NULL,
  PRIMARY KEY(scope, key));
)";


// Columns added since schema 1, so that older state files keep working.
constexpr std::pair<const char*, const char*> kAddedColumns[] = {
    {"messages", "target_floor INTEGER"},
    {"messages", "pending_since INTEGER"},
    {"folders", "source_highestmodseq INTEGER"},
    {"folders", "source_uidnext INTEGER"},
    {"folders", "source_messages INTEGER"},
    {"messages", "blind_sha256 TEXT"},
};

Result<bool> has_column(sql::Database& db, const std::string& table, const std::string& column) {
  MF_TRY(info, db.prepare("SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2"));
  info.bind(1, table).bind(2, column);
  return info.step();
}

// Adds the columns a file written by an older mailferry lacks (idempotent).
// Writes (and so fsyncs) nothing when the file is up to date: a no-change
// pass should not pay for it.
Result<void> add_missing_columns(sql::Database& db, const std::string& schema) {
  std::vector<std::string> missing;
  for (auto [table, column] : kAddedColumns) {
    std::string name = std::string(column).substr(0, std::string(column).find(' '));
    MF_TRY(present, has_column(db, table, name));
    if (!present) missing.push_back(std::string("ALTER TABLE ") + table + " ADD COLUMN " + column);
  }
  if (missing.empty() && schema == "2") return {};
  MF_TRY(tx, sql::Transaction::begin(db));
  for (const auto& sql : missing) MF_CHECK(db.exec(sql));
  MF_CHECK(db.exec("UPDATE meta SET value = '2' WHERE key = 'schema'"));
  return tx.commit();
}

}  // namespace

namespace {

std::uint32_t uid(sql::Statement& q, int column) { return static_cast<std::uint32_t>(q.column_int(column)); }
std::uint64_t size(sql::Statement& q, int column) { return static_cast<std::uint64_t>(q.column_int(column)); }

// Every row `query` gives with ?1 = folder_id, each made into a T by `row`.
template <class T, class Row>
Result<std::vector<T>> rows_of(sql::Database& db, std::string_view query, std::int64_t folder_id, Row row) {
  MF_TRY(q, db.prepare(query));
  q.bind(1, folder_id);
  std::vector<T> out;
  MF_CHECK(q.each([&](auto&) { out.push_back(row(q)); }));
  return out;
}

}  // namespace

Result<StateStore> StateStore::open(const std::string& path) {
  MF_TRY(db, sql::Database::open(path));
  MF_CHECK(db.exec(kSchema));
  MF_TRY(version, db.prepare("SELECT value FROM meta WHERE key = 'schema'"));
  MF_TRY(row, version.step());
  std::string schema = row ? version.column_text(0) : "";
  version.reset();
  if (schema != "1" && schema != "2") return make_error(Errc::Corrupt, "not a mailferry state file of schema 2", path);
  MF_CHECK(add_missing_columns(db, schema));
  return StateStore(std::move(db));
}


namespace {

Result<std::map<std::string, std::string>> targets_in(sql::Database& db, const std::string& account) {
  MF_TRY(query, db.prepare("SELECT source_name, target_name FROM folders WHERE account = ?1"));
  query.bind(1, account);
  std::map<std::string, std::string> out;
  MF_CHECK(query.each([&](auto&) {
    out.emplace(query.column_text(0), query.column_text(1));
  }));
  return out;
}

}  // namespace

Result<std::map<std::string, std::string>> StateStore::recorded_targets(const std::string& account) {
  return targets_in(db_, account);
}

Result<std::map<std::string, std::string>> StateStore::recorded_targets(const std::string& path,
                                                                        const std::string& account) {
  if (path.empty() || ::access(path.c_str(), F_OK) != 0) return std::map<std::string, std::string>{};
  MF_TRY(db, sql::Database::open_read_only(path));
  auto targets = targets_in(db, account);
  if (!targets) return with_context(targets.error(), "state file " + path);
  return targets;
}

Result<FolderState> StateStore::folder(const std::string& account, const std::string& source_name,
                                       std::uint32_t source_uidvalidity, const std::string& target_name) {
  MF_TRY(find, db_.prepare("SELECT id, source_uidvalidity FROM folders WHERE account = ?1 AND source_name = ?2"));
  find.bind(1, account).bind(2, source_name);
  MF_TRY(found, find.step());
  if (found) {
    FolderState out{find.column_int(0), static_cast<std::uint32_t>(find.column_int(1))};
    out.uidvalidity_changed = out.source_uidvalidity != source_uidvalidity;
    return out;
  }
  MF_TRY(insert, db_.prepare(
                     "INSERT INTO folders(account, source_name, source_uidvalidity, target_name) VALUES (?1, ?2, ?3, ?4)"));
  insert.bind(1, account).bind(2, source_name).bind(3, std::int64_t{source_uidvalidity}).bind(4, target_name);
  MF_CHECK(insert.run());
  return FolderState{db_.last_insert_rowid(), source_uidvalidity};
}

Result<std::set<std::uint32_t>> StateStore::uid_set(std::string_view sql, std::int64_t folder_id) {
  MF_TRY(query, db_.prepare(sql));
  query.bind(1, folder_id);
  std::set<std::uint32_t> out;
  MF_CHECK(query.each([&](auto&) {
    out.insert(static_cast<std::uint32_t>(query.column_int(0)));
  }));
  return out;
}

Result<std::uint64_t> StateStore::copied_count(std::int64_t folder_id) {
  MF_TRY(query, db_.prepare("SELECT COUNT(*) FROM messages WHERE folder_id = ?1 AND state = 'copied'"));
  query.bind(1, folder_id);
  MF_CHECK(query.step());
  return static_cast<std::uint64_t>(query.column_int(0));
}

Result<std::set<std::uint32_t>> StateStore::copied_uids(std::int64_t folder_id) {
  return uid_set("SELECT source_uid FROM messages WHERE folder_id = ?1 AND state = 'copied'", folder_id);
}

Result<std::set<std::uint32_t>> StateStore::claimed_target_uids(std::int64_t folder_id) {
  return uid_set("SELECT target_uid FROM messages WHERE folder_id = ?1 AND state = 'copied' AND target_uid > 0",
                 folder_id);
}

Result<std::map<std::uint32_t, std::uint32_t>> StateStore::copied_pairs(std::int64_t folder_id) {
  MF_TRY(query, db_.prepare("SELECT source_uid, target_uid FROM messages "
                            "WHERE folder_id = ?1 AND state = 'copied' AND target_uid > 0"));
  query.bind(1, folder_id);
  std::map<std::uint32_t, std::uint32_t> out;
  MF_CHECK(query.each([&](auto&) {
    out.emplace(static_cast<std::uint32_t>(query.column_int(0)), static_cast<std::uint32_t>(query.column_int(1)));
  }));
  return out;
}

Result<std::vector<PendingMessage>> StateStore::pending(std::int64_t folder_id) {
  return rows_of<PendingMessage>(db_,
                                 "SELECT source_uid, sha256, size, target_floor, pending_since, blind_sha256 FROM "
                                 "messages WHERE folder_id = ?1 AND state = 'pending' ORDER BY source_uid",
                                 folder_id, [](sql::Statement& q) {
                                   return PendingMessage{uid(q, 0), q.column_text(1), size(q, 2), uid(q, 3),
                                                         q.column_int(4),
                                                         q.column_is_null(5) ? std::string() : q.column_text(5)};
                                 });
}

Result<std::vector<CopiedMessage>> StateStore::copied(std::int64_t folder_id) {
  return rows_of<CopiedMessage>(db_,
                                "SELECT source_uid, sha256, size, target_uid FROM messages "
                                "WHERE folder_id = ?1 AND state = 'copied' ORDER BY source_uid",
                                folder_id, [](sql::Statement& q) {
                                  return CopiedMessage{uid(q, 0), q.column_text(1), size(q, 2), uid(q, 3)};
                                });
}

Result<void> StateStore::rebase(std::int64_t folder_id, std::uint32_t source_uidvalidity,
                                const std::vector<CopiedMessage>& messages) {
  MF_TRY(tx, sql::Transaction::begin(db_));
  MF_TRY(clear, db_.prepare("DELETE FROM messages WHERE folder_id = ?1"));
  clear.bind(1, folder_id);
  MF_CHECK(clear.run());
  MF_TRY(update, db_.prepare("UPDATE folders SET source_uidvalidity = ?2 WHERE id = ?1"));
  update.bind(1, folder_id).bind(2, std::int64_t{source_uidvalidity});
  MF_CHECK(update.run());
  MF_CHECK(insert_copied(folder_id, messages));
  return tx.commit();  // one transaction: a crash leaves the old rows or the new, never none
}

Result<std::optional<std::uint32_t>> StateStore::target_uidvalidity(std::int64_t folder_id) {
  MF_TRY(query, db_.prepare("SELECT target_uidvalidity FROM folders WHERE id = ?1"));
  query.bind(1, folder_id);
  MF_TRY(row, query.step());
  if (!row || query.column_is_null(0)) return std::optional<std::uint32_t>{};
  return std::optional<std::uint32_t>{static_cast<std::uint32_t>(query.column_int(0))};
}

Result<void> StateStore::set_target_uidvalidity(std::int64_t folder_id, std::uint32_t uidvalidity) {
  MF_TRY(update, db_.prepare("UPDATE folders SET target_uidvalidity = ?2 WHERE id = ?1"));
  update.bind(1, folder_id).bind(2, std::int64_t{uidvalidity});
  return update.run();
}

Result<std::optional<source::FolderSnapshot>> StateStore::snapshot(std::int64_t folder_id) {
  MF_TRY(query, db_.prepare("SELECT source_highestmodseq, source_uidnext, source_messages FROM folders WHERE id = ?1"));
  query.bind(1, folder_id);
  MF_TRY(row, query.step());
  if (!row || query.column_is_null(0)) return std::optional<source::FolderSnapshot>{};
  return std::optional<source::FolderSnapshot>{source::FolderSnapshot{static_cast<std::uint64_t>(query.column_int(0)),
                                                      static_cast<std::uint32_t>(query.column_int(1)),
                                                      static_cast<std::uint32_t>(query.column_int(2))}};
}

Result<void> StateStore::set_snapshot(std::int64_t folder_id, const std::optional<source::FolderSnapshot>& snapshot) {
  MF_TRY(update, db_.prepare("UPDATE folders SET source_highestmodseq = ?2, source_uidnext = ?3, source_messages = ?4 "
                             "WHERE id = ?1"));
  update.bind(1, folder_id);
  if (snapshot) {
    update.bind(2, static_cast<std::int64_t>(snapshot->highestmodseq));
    update.bind(3, std::int64_t{snapshot->uidnext}).bind(4, std::int64_t{snapshot->messages});
  } else {
    update.bind_null(2).bind_null(3).bind_null(4);
  }
  return update.run();
}

Result<std::vector<std::uint32_t>> StateStore::local_uids(const std::string& scope,
                                                          const std::vector<std::string>& keys) {
  MF_TRY(tx, sql::Transaction::begin(db_));
  MF_TRY(scope_row, db_.prepare("INSERT OR IGNORE INTO local_folders(scope, next_uid) VALUES (?1, 1)"));
  scope_row.bind(1, scope);
  MF_CHECK(scope_row.run());
  MF_TRY(next_query, db_.prepare("SELECT next_uid FROM local_folders WHERE scope = ?1"));
  next_query.bind(1, scope);
  MF_CHECK(next_query.step());
  auto next = next_query.column_int(0);
  MF_TRY(find, db_.prepare("SELECT uid FROM local_uids WHERE scope = ?1 AND key = ?2"));
  MF_TRY(insert, db_.prepare("INSERT INTO local_uids(scope, key, uid) VALUES (?1, ?2, ?3)"));
  std::vector<std::uint32_t> uids;
  uids.reserve(keys.size());
  for (const auto& key : keys) {
    find.bind(1, scope).bind(2, key);
    MF_TRY(found, find.step());
    std::int64_t uid = found ? find.column_int(0) : next++;
    find.reset();
    if (!found) {
      insert.bind(1, scope).bind(2, key).bind(3, uid);
      MF_CHECK(insert.run());
    }
    uids.push_back(static_cast<std::uint32_t>(uid));
  }
  MF_TRY(update, db_.prepare("UPDATE local_folders SET next_uid = ?2 WHERE scope = ?1"));
  update.bind(1, scope).bind(2, next);
  MF_CHECK(update.run());
  MF_CHECK(tx.commit());
  return uids;
}

Result<void> StateStore::record_pending(std::int64_t folder_id, const std::vector<PendingMessage>& messages) {
  MF_TRY(tx, sql::Transaction::begin(db_));
  MF_TRY(insert, db_.prepare("INSERT OR REPLACE INTO messages(folder_id, source_uid, sha256, size, target_floor, "
                             "pending_since, blind_sha256, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending')"));
  auto now = static_cast<std::int64_t>(std::time(nullptr));
  for (const auto& m : messages) {
    insert.bind(1, folder_id).bind(2, std::int64_t{m.source_uid}).bind(3, m.sha256);
    insert.bind(4, static_cast<std::int64_t>(m.size)).bind(5, std::int64_t{m.target_floor}).bind(6, now);
    if (m.blind_sha256.empty())
      insert.bind_null(7);
    else
      insert.bind(7, m.blind_sha256);
    MF_CHECK(insert.run());
  }
  return tx.commit();
}

Result<void> StateStore::record_copied(std::int64_t folder_id, const std::vector<CopiedMessage>& messages) {
  MF_TRY(tx, sql::Transaction::begin(db_));
  MF_CHECK(insert_copied(folder_id, messages));
  return tx.commit();
}

Result<void> StateStore::insert_copied(std::int64_t folder_id, const std::vector<CopiedMessage>& messages) {
  MF_TRY(insert, db_.prepare(
                     "INSERT OR REPLACE INTO messages(folder_id, source_uid, sha256, size, target_uid, state) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, 'copied')"));
  for (const auto& m : messages) {
    insert.bind(1, folder_id).bind(2, std::int64_t{m.source_uid}).bind(3, m.sha256);
    insert.bind(4, static_cast<std::int64_t>(m.size));
    if (m.target_uid)
      insert.bind(5, std::int64_t{m.target_uid});
    else
      insert.bind_null(5);
    MF_CHECK(insert.run());
  }
  return {};
}

Result<void> StateStore::drop(std::int64_t folder_id, const std::vector<std::uint32_t>& source_uids,
                              std::string_view state) {
  if (source_uids.empty()) return {};
  MF_TRY(tx, sql::Transaction::begin(db_));
  MF_TRY(remove, db_.prepare("DELETE FROM messages WHERE folder_id = ?1 AND source_uid = ?2 AND state = ?3"));
  for (auto uid : source_uids) {
    remove.bind(1, folder_id).bind(2, std::int64_t{uid}).bind(3, state);
    MF_CHECK(remove.run());
  }
  return tx.commit();
}

Result<void> StateStore::drop_pending(std::int64_t folder_id, const std::vector<std::uint32_t>& source_uids) {
  return drop(folder_id, source_uids, "pending");
}

Result<void> StateStore::drop_copied(std::int64_t folder_id, const std::vector<std::uint32_t>& source_uids) {
  return drop(folder_id, source_uids, "copied");
}

}  // namespace mf::migrate
