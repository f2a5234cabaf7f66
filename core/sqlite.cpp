#include "core/sqlite.h"

#include "core/file_system.h"

#include <sqlite3.h>

#include <filesystem>

#include <cerrno>
#include <cstring>

namespace mf::sql {
namespace {

Error sqlite_error(sqlite3* db, int rc, std::string_view where) {
  Errc code = Errc::Io;
  if (rc == SQLITE_FULL) code = Errc::NoSpace;
  if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB) code = Errc::Corrupt;
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) code = Errc::Temp;
  if (rc == SQLITE_CANTOPEN || rc == SQLITE_PERM || rc == SQLITE_READONLY) code = Errc::Perm;
  std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  // "disk I/O error" says nothing a user can act on; the system's errno does.
  if (int e = db ? sqlite3_system_errno(db) : 0; e != 0 && (rc & 0xff) == SQLITE_IOERR) {
    message += std::string(" (") + std::strerror(e) + ")";
    if (e == ENOSPC || e == EDQUOT) code = Errc::NoSpace;
  }
  return make_error(code, "SQLite: " + message, std::string(where));
}

}  // namespace

void Statement::Finalizer::operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
void Database::Closer::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

Statement::Statement(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_.get(), index, value);
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  // A null data pointer would bind SQL NULL (sqlite3_bind_text): an empty view is the empty string.
  sqlite3_bind_text(stmt_.get(), index, text.data() ? text.data() : "", static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  sqlite3_bind_blob(stmt_.get(), index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_.get(), index);
  return *this;
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // Named by the file: what the user can act on (a full disk, a damaged file).
  const char* file = sqlite3_db_filename(db_, "main");
  return sqlite_error(db_, rc, file && *file ? file : "an SQLite database");
}

Result<void> Statement::run() {
  for (;;) {
    auto row = step();
    if (!row) {
      reset();
      return row.error();
    }
    if (!*row) break;
  }
  reset();
  return {};
}

void Statement::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::int64_t Statement::column_int(int index) const { return sqlite3_column_int64(stmt_.get(), index); }

std::string Statement::column_text(int index) const {
  auto* p = sqlite3_column_blob(stmt_.get(), index);
  int n = sqlite3_column_bytes(stmt_.get(), index);
  return p ? std::string(static_cast<const char*>(p), n) : std::string();
}

bool Statement::column_is_null(int index) const {
  return sqlite3_column_type(stmt_.get(), index) == SQLITE_NULL;
}

Result<Database> Database::open_as(const std::string& path, const std::string& name, int flags) {
  register_sqlite_vfs();  // its writes go through file_system()
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(name.c_str(), &raw, flags, nullptr);
  Database db;
  db.db_.reset(raw);
  db.path_ = path;
  if (rc != SQLITE_OK) return sqlite_error(raw, rc, path);
  sqlite3_busy_timeout(raw, 5000);
  return db;
}

Result<Database> Database::open(const std::string& path) {
  MF_TRY(db, open_as(path, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
  // WAL + FULL: a commit is fsynced before it returns (the durability rule).
  // EXTRA for the switch to WAL: a new file becomes WAL by a rollback-journal
  // transaction whose commit is the journal's deletion, which only EXTRA
  // makes durable (syncing the directory); under FULL a power cut could
  // bring the journal back, roll the switch back, and with it every commit
  // made to the WAL since (found by the power-loss test of the state file).
  MF_CHECK(db.exec("PRAGMA synchronous=EXTRA; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"));
  return db;
}

namespace {
std::string fmt_percent(char c) {
  static const char* hex = "0123456789ABCDEF";
  auto u = static_cast<unsigned char>(c);
  return {'%', hex[u >> 4], hex[u & 15]};
}
}  // namespace

Result<Database> Database::open_read_only(const std::string& path) {
  auto open = [&](const std::string& name, int flags) -> Result<Database> {
    MF_TRY(db, open_as(path, name, SQLITE_OPEN_READONLY | flags));
    // Opening is lazy: the first read says whether the file can be read.
    int rc = sqlite3_exec(db.db_.get(), "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(db.db_.get(), rc, path);
    return db;
  };
  auto db = open(path, 0);
  std::error_code ec;
  if (db || std::filesystem::exists(path + "-wal", ec)) return db;
  // A WAL database on a medium where its -shm cannot be made (a read-only
  // copy or mount): with no -wal, everything is in the file itself, and
  // nobody writes it, so it is read as immutable (SQLite's URI parameter).
  std::string uri = "file:";
  for (char c : path) {
    if (c == '?' || c == '#' || c == '%') uri += fmt_percent(c);
    else uri += c;
  }
  auto immutable = open(uri + "?immutable=1", SQLITE_OPEN_URI);
  return immutable ? std::move(immutable) : std::move(db);
}

Result<void> Database::exec(std::string_view sql) {
  std::string text(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string message = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    Error e = sqlite_error(db_.get(), rc, path_);
    if (e.message.find(message) == std::string::npos) e.message = "SQLite: " + message;  // exec's own text
    return e;
  }
  return {};
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_.get(), rc, path_);
  return Statement(stmt, db_.get());
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_.get()); }

std::int64_t Database::changes() const { return sqlite3_changes64(db_.get()); }
std::int64_t Database::total_changes() const { return sqlite3_total_changes64(db_.get()); }

Result<Transaction> Transaction::begin(Database& db) {
  MF_CHECK(db.exec("BEGIN IMMEDIATE"));
  return Transaction(&db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }

Transaction::~Transaction() {
  if (db_) (void)db_->exec("ROLLBACK");
}

Result<void> Transaction::commit() {
  Database* db = db_;
  db_ = nullptr;
  return db->exec("COMMIT");
}

}  // namespace mf::sql
