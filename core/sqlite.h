// A thin RAII wrapper over SQLite. Not thread-safe: one Database per thread.
// Databases are opened in WAL mode with synchronous=FULL, so a committed
// transaction is on disk (fsynced) when commit() returns.
#pragma once

#include "core/error.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace mf::sql {

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3_stmt* stmt, sqlite3* db);

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);

  // true: a row is ready; false: done.
  [[nodiscard]] Result<bool> step();
  // Runs to completion, for statements that return no rows.
  [[nodiscard]] Result<void> run();
  // Steps through every row, calling row(*this) for each (it may return a
  // Result<void>); stops at the first error, the step's or the row's.
  template <class Row>
  [[nodiscard]] Result<void> each(Row row) {
    for (;;) {
      MF_TRY(more, step());
      if (!more) return {};
      if constexpr (std::is_void_v<decltype(row(*this))>)
        row(*this);
      else
        MF_CHECK(row(*this));
    }
  }
  void reset();

  std::int64_t column_int(int index) const;
  std::string column_text(int index) const;
  bool column_is_null(int index) const;

 private:
  struct Finalizer {
    void operator()(sqlite3_stmt* s) const;
  };
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
  sqlite3* db_ = nullptr;
};

class Database {
 public:
  [[nodiscard]] static Result<Database> open(const std::string& path);
  // For a command that only reads: nothing is created or written.
  [[nodiscard]] static Result<Database> open_read_only(const std::string& path);

  [[nodiscard]] Result<void> exec(std::string_view sql);
  [[nodiscard]] Result<Statement> prepare(std::string_view sql);
  std::int64_t last_insert_rowid() const;
  // Rows the last INSERT, UPDATE or DELETE changed.
  std::int64_t changes() const;
  // Rows every INSERT, UPDATE or DELETE changed since the open (a change counter for watchers).
  std::int64_t total_changes() const;
  const std::string& path() const { return path_; }

 private:
  // sqlite3_open_v2 of `name` (the path, or a file: URI of it) with `flags`, named `path` in errors.
  static Result<Database> open_as(const std::string& path, const std::string& name, int flags);
  struct Closer {
    void operator()(sqlite3* db) const;
  };
  std::unique_ptr<sqlite3, Closer> db_;
  std::string path_;
};

// Commits on commit(), rolls back when destroyed without it.
class Transaction {
 public:
  [[nodiscard]] static Result<Transaction> begin(Database& db);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  [[nodiscard]] Result<void> commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;
};

}  // namespace mf::sql
