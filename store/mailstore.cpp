#include "store/mailstore.h"

#include "core/atomic_file.h"
#include "core/file_system.h"
#include "core/sha256.h"

#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <set>
#include <unistd.h>

namespace mf::store {
namespace {

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS mailboxes(
  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, uidvalidity INTEGER NOT NULL,
  uidnext INTEGER NOT NULL, highestmodseq INTEGER NOT NULL, special_use TEXT NOT NULL DEFAULT '',
  first_recent_uid INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS subscriptions(name TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS messages(
  mailbox INTEGER NOT NULL, uid INTEGER NOT NULL, modseq INTEGER NOT NULL, sha256 TEXT NOT NULL,
  size INTEGER NOT NULL, internaldate TEXT NOT NULL, flags TEXT NOT NULL,
  PRIMARY KEY(mailbox, uid)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS messages_by_blob ON messages(sha256);
-- RFC 9208 STORAGE: the sizes of all messages, kept in the transactions that change them.
INSERT OR IGNORE INTO meta(key, value) SELECT 'storage', COALESCE(SUM(size), 0) FROM messages;
CREATE TRIGGER IF NOT EXISTS storage_added AFTER INSERT ON messages
  BEGIN UPDATE meta SET value = value + NEW.size WHERE key = 'storage'; END;
CREATE TRIGGER IF NOT EXISTS storage_removed AFTER DELETE ON messages
  BEGIN UPDATE meta SET value = value - OLD.size WHERE key = 'storage'; END;
)sql";

constexpr int kCompressionLevel = 3;

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

std::vector<std::string> split_flags(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find(' ', pos);
    if (end == std::string::npos) end = text.size();
    if (end > pos) out.emplace_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

std::string join_flags(const std::vector<std::string>& flags) {
  std::string out;
  for (const auto& f : flags) {
    if (!out.empty()) out += ' ';
    out += f;
  }
  return out;
}

// The flags without repeats (case-insensitively, RFC 9051 §2.3.2), first spelling kept.
std::vector<std::string> unique_flags(const std::vector<std::string>& flags) {
  std::vector<std::string> out;
  for (const auto& f : flags)
    if (!has_flag(out, f)) out.push_back(f);
  return out;
}

MessageRecord record_of(sql::Statement& s) {
  MessageRecord r;
  r.uid = static_cast<std::uint32_t>(s.column_int(0));
  r.modseq = static_cast<std::uint64_t>(s.column_int(1));
  r.sha256 = s.column_text(2);
  r.size = static_cast<std::uint64_t>(s.column_int(3));
  r.internaldate = s.column_text(4);
  r.flags = split_flags(s.column_text(5));
  return r;
}

MailboxInfo mailbox_of(sql::Statement& s) {
  MailboxInfo m;
  m.id = s.column_int(0);
  m.name = s.column_text(1);
  m.uidvalidity = static_cast<std::uint32_t>(s.column_int(2));
  m.uidnext = static_cast<std::uint32_t>(s.column_int(3));
  m.highestmodseq = static_cast<std::uint64_t>(s.column_int(4));
  m.special_use = s.column_text(5);
  m.subscribed = s.column_int(6) != 0;
  m.first_recent_uid = static_cast<std::uint32_t>(s.column_int(7));
  return m;
}

constexpr std::string_view kMailboxColumns =
    "SELECT id, name, uidvalidity, uidnext, highestmodseq, special_use, "
    "EXISTS(SELECT 1 FROM subscriptions s WHERE s.name = mailboxes.name), first_recent_uid FROM mailboxes ";

}  // namespace

std::string canonical_name(std::string_view name) {
  if (iequal(name, "INBOX")) return "INBOX";
  if (name.size() > 6 && iequal(name.substr(0, 6), "INBOX/")) return "INBOX" + std::string(name.substr(5));
  return std::string(name);
}

bool has_flag(const std::vector<std::string>& flags, std::string_view flag) {
  return std::any_of(flags.begin(), flags.end(), [&](const std::string& f) { return iequal(f, flag); });
}

Result<Mailstore> Mailstore::open(const std::string& dir) {
  MF_CHECK(make_directory(dir));
  MF_CHECK(make_directory(dir + "/blobs"));
  MF_TRY(db, sql::Database::open(dir + "/mail.db"));
  MF_CHECK(db.exec(kSchema));
  Mailstore store(dir, std::move(db));
  auto inbox = store.mailbox("INBOX");
  if (!inbox && inbox.error().code == Errc::NotFound) MF_CHECK(store.create("INBOX"));
  else if (!inbox) return inbox.error();
  return store;
}

std::string Mailstore::blob_path(const std::string& sha256) const {
  return dir_ + "/blobs/" + sha256.substr(0, 2) + "/" + sha256 + ".zst";
}

Result<std::vector<MailboxInfo>> Mailstore::mailboxes() {
  std::vector<MailboxInfo> out;
  MF_TRY(s, db_.prepare(std::string(kMailboxColumns) + "ORDER BY name"));
  MF_CHECK(s.each([&](sql::Statement& row) { out.push_back(mailbox_of(row)); }));
  return out;
}

Result<MailboxInfo> Mailstore::mailbox(std::string_view name) {
  MF_TRY(s, db_.prepare(std::string(kMailboxColumns) + "WHERE name = ?"));
  s.bind(1, canonical_name(name));
  MF_TRY(found, s.step());
  if (!found) return make_error(Errc::NotFound, "no such mailbox", std::string(name));
  return mailbox_of(s);
}

Result<void> Mailstore::create(std::string_view name, std::string_view special_use) {
  std::string wanted = canonical_name(name);
  if (wanted.empty() || wanted.front() == '/' || wanted.back() == '/' || wanted.find("//") != std::string::npos)
    return make_error(Errc::Usage, "not a mailbox name", wanted);
  MF_TRY(tx, sql::Transaction::begin(db_));
  // UIDVALIDITY: a new value for every mailbox ever made (RFC 9051 §2.3.1.1),
  // so one deleted and made again is not mistaken for the old one.
  MF_TRY(last, db_.prepare("SELECT value FROM meta WHERE key = 'uidvalidity'"));
  MF_TRY(has_last, last.step());
  std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count() & 0x7fffffff;
  std::int64_t next = std::max<std::int64_t>(now, has_last ? last.column_int(0) + 1 : 1);
  bool made = false;
  for (std::size_t pos = wanted.find('/'); ; pos = wanted.find('/', pos + 1)) {
    std::string level = pos == std::string::npos ? wanted : wanted.substr(0, pos);
    MF_TRY(insert, db_.prepare("INSERT OR IGNORE INTO mailboxes(name, uidvalidity, uidnext, highestmodseq, special_use) "
                               "VALUES (?, ?, 1, 1, ?)"));
    insert.bind(1, level).bind(2, next).bind(3, pos == std::string::npos ? special_use : std::string_view());
    MF_CHECK(insert.run());
    if (db_.changes() > 0) {
      ++next;
      made = pos == std::string::npos;
    }
    if (pos == std::string::npos) break;
  }
  if (!made) return make_error(Errc::Exists, "the mailbox exists", wanted);
  MF_TRY(save, db_.prepare("INSERT INTO meta(key, value) VALUES ('uidvalidity', ?) "
                           "ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
  MF_CHECK(save.bind(1, next - 1).run());
  return tx.commit();
}

Result<void> Mailstore::remove(std::string_view name) {
  std::string wanted = canonical_name(name);
  if (wanted == "INBOX") return make_error(Errc::Perm, "INBOX cannot be deleted", wanted);
  MF_TRY(box, mailbox(wanted));
  MF_TRY(children, db_.prepare("SELECT 1 FROM mailboxes WHERE substr(name, 1, ?) = ? LIMIT 1"));
  children.bind(1, static_cast<std::int64_t>(wanted.size() + 1)).bind(2, wanted + "/");
  MF_TRY(has_children, children.step());
  if (has_children) return make_error(Errc::Exists, "the mailbox has children: delete them first", wanted);
  std::vector<std::string> blobs;
  MF_TRY(tx, sql::Transaction::begin(db_));
  MF_TRY(list, db_.prepare("SELECT DISTINCT sha256 FROM messages WHERE mailbox = ?"));
  list.bind(1, box.id);
  MF_CHECK(list.each([&](sql::Statement& row) { blobs.push_back(row.column_text(0)); }));
  MF_TRY(del_messages, db_.prepare("DELETE FROM messages WHERE mailbox = ?"));
  MF_CHECK(del_messages.bind(1, box.id).run());
  MF_TRY(del_box, db_.prepare("DELETE FROM mailboxes WHERE id = ?"));
  MF_CHECK(del_box.bind(1, box.id).run());
  MF_CHECK(tx.commit());
  return delete_unreferenced(blobs);
}

Result<void> Mailstore::rename(std::string_view from_name, std::string_view to_name) {
  std::string from = canonical_name(from_name), to = canonical_name(to_name);
  MF_TRY(source, mailbox(from));
  if (auto exists = mailbox(to); exists) return make_error(Errc::Exists, "the mailbox exists", to);
  if (from == "INBOX") {
    // RFC 9051 §6.3.6: INBOX's messages move to the new name; INBOX stays, empty.
    MF_CHECK(create(to));
    MF_TRY(target, mailbox(to));
    MF_TRY(all, messages(source.id));
    std::vector<std::uint32_t> uids;
    for (const auto& m : all) uids.push_back(m.uid);
    MF_CHECK(copy(source.id, uids, target.id));
    return expunge(source.id, uids);
  }
  if (to.size() > from.size() && to.compare(0, from.size() + 1, from + "/") == 0)
    return make_error(Errc::Usage, "a mailbox cannot be renamed into itself", to);
  MF_TRY(tx, sql::Transaction::begin(db_));
  // Parents of the new name are made as CREATE would make them.
  for (std::size_t pos = to.find('/'); pos != std::string::npos; pos = to.find('/', pos + 1)) {
    MF_TRY(parent, db_.prepare("INSERT OR IGNORE INTO mailboxes(name, uidvalidity, uidnext, highestmodseq) "
                               "VALUES (?, (SELECT COALESCE(MAX(uidvalidity), 0) + 1 FROM mailboxes), 1, 1)"));
    MF_CHECK(parent.bind(1, to.substr(0, pos)).run());
  }
  MF_TRY(move, db_.prepare("UPDATE mailboxes SET name = ? || substr(name, ?) WHERE name = ? OR substr(name, 1, ?) = ?"));
  move.bind(1, to).bind(2, static_cast<std::int64_t>(from.size() + 1)).bind(3, from);
  move.bind(4, static_cast<std::int64_t>(from.size() + 1)).bind(5, from + "/");
  MF_CHECK(move.run());
  return tx.commit();
}

Result<void> Mailstore::subscribe(std::string_view name, bool on) {
  MF_TRY(s, db_.prepare(on ? "INSERT OR IGNORE INTO subscriptions(name) VALUES (?)"
                           : "DELETE FROM subscriptions WHERE name = ?"));
  return s.bind(1, canonical_name(name)).run();
}

Result<std::vector<std::string>> Mailstore::subscriptions() {
  std::vector<std::string> out;
  MF_TRY(s, db_.prepare("SELECT name FROM subscriptions ORDER BY name"));
  MF_CHECK(s.each([&](sql::Statement& row) { out.push_back(row.column_text(0)); }));
  return out;
}

Result<MailboxCounts> Mailstore::counts(const MailboxInfo& mailbox) {
  // LIKE ignores ASCII case, as flags do (RFC 9051 §2.3.2); \Seen and \Deleted hold no LIKE wildcard.
  MF_TRY(s, db_.prepare("SELECT COUNT(*), "
                        "TOTAL((' ' || flags || ' ') NOT LIKE '% \\Seen %'), "
                        "TOTAL((' ' || flags || ' ') LIKE '% \\Deleted %'), TOTAL(size), TOTAL(uid >= ?), "
                        "TOTAL(size * ((' ' || flags || ' ') LIKE '% \\Deleted %')) "
                        "FROM messages WHERE mailbox = ?"));
  s.bind(1, static_cast<std::int64_t>(mailbox.first_recent_uid)).bind(2, mailbox.id);
  MF_TRY(row, s.step());
  MailboxCounts c;
  if (!row) return c;
  c.messages = static_cast<std::uint64_t>(s.column_int(0));
  c.unseen = static_cast<std::uint64_t>(s.column_int(1));
  c.deleted = static_cast<std::uint64_t>(s.column_int(2));
  c.size = static_cast<std::uint64_t>(s.column_int(3));
  c.recent = static_cast<std::uint64_t>(s.column_int(4));
  c.deleted_size = static_cast<std::uint64_t>(s.column_int(5));
  return c;
}

Result<std::vector<MessageRecord>> Mailstore::messages(std::int64_t mailbox) {
  std::vector<MessageRecord> out;
  MF_TRY(s, db_.prepare("SELECT uid, modseq, sha256, size, internaldate, flags FROM messages WHERE mailbox = ? ORDER BY uid"));
  s.bind(1, mailbox);
  MF_CHECK(s.each([&](sql::Statement& row) { out.push_back(record_of(row)); }));
  return out;
}

Result<void> Mailstore::write_blob(std::string_view bytes, const std::string& sha256) {
  std::string path = blob_path(sha256);
  if (::access(path.c_str(), F_OK) == 0) return {};  // the same bytes are there, fsynced when written
  MF_CHECK(make_directory(directory_of(path)));
  std::string compressed(ZSTD_compressBound(bytes.size()), '\0');
  std::size_t n = ZSTD_compress(compressed.data(), compressed.size(), bytes.data(), bytes.size(), kCompressionLevel);
  if (ZSTD_isError(n)) return make_error(Errc::Io, std::string("zstd: ") + ZSTD_getErrorName(n), path);
  compressed.resize(n);
  return write_file_atomically(path, compressed);
}

Result<std::string> Mailstore::read(const std::string& sha256) {
  std::string path = blob_path(sha256);
  MF_TRY(compressed, read_file(path));
  unsigned long long size = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN)
    return make_error(Errc::Corrupt, "not a zstd frame", path);
  std::string bytes(size, '\0');
  std::size_t n = ZSTD_decompress(bytes.data(), bytes.size(), compressed.data(), compressed.size());
  if (ZSTD_isError(n) || n != size) return make_error(Errc::Corrupt, "the message's file is damaged", path);
  if (to_hex(mf::sha256(bytes)) != sha256) return make_error(Errc::Corrupt, "the message's SHA-256 does not match", path);
  return bytes;
}

Result<std::uint64_t> Mailstore::next_modseq(std::int64_t mailbox) {
  MF_TRY(s, db_.prepare("UPDATE mailboxes SET highestmodseq = highestmodseq + 1 WHERE id = ? RETURNING highestmodseq"));
  s.bind(1, mailbox);
  MF_TRY(found, s.step());
  if (!found) return make_error(Errc::NotFound, "the mailbox was deleted", std::to_string(mailbox));
  return static_cast<std::uint64_t>(s.column_int(0));
}

Result<std::uint64_t> Mailstore::meta_value(std::string_view key, std::uint64_t missing) {
  MF_TRY(s, db_.prepare("SELECT value FROM meta WHERE key = ?"));
  s.bind(1, std::string(key));
  MF_TRY(found, s.step());
  return found ? static_cast<std::uint64_t>(s.column_int(0)) : missing;
}

Result<std::uint64_t> Mailstore::storage_used() { return meta_value("storage", 0); }

Result<std::uint64_t> Mailstore::quota() { return meta_value("quota", default_quota_); }

Result<void> Mailstore::set_own_quota(std::optional<std::uint64_t> bytes) {
  MF_TRY(s, db_.prepare(bytes ? "INSERT OR REPLACE INTO meta(key, value) VALUES ('quota', ?)"
                              : "DELETE FROM meta WHERE key = 'quota'"));
  if (bytes) s.bind(1, static_cast<std::int64_t>(*bytes));
  return s.run();
}

Result<void> Mailstore::check_quota(std::uint64_t more) {
  MF_TRY(limit, quota());
  if (limit == 0) return {};
  MF_TRY(used, storage_used());
  if (used + more <= limit) return {};
  return make_error(Errc::NoSpace, "over quota: " + std::to_string(used) + " of " + std::to_string(limit) +
                                       " bytes used, " + std::to_string(more) + " more asked",
                    dir_);
}

Result<std::vector<std::uint32_t>> Mailstore::append(std::int64_t mailbox, const std::vector<NewMessage>& messages) {
  std::uint64_t total = 0;
  for (const auto& m : messages) total += m.bytes.size();
  MF_CHECK(check_quota(total));  // before any blob is written (one thread: nothing comes in between)
  std::vector<std::string> hashes;
  for (const auto& m : messages) {
    hashes.push_back(to_hex(sha256(m.bytes)));
    MF_CHECK(write_blob(m.bytes, hashes.back()));
  }
  MF_TRY(tx, sql::Transaction::begin(db_));
  MF_TRY(modseq, next_modseq(mailbox));
  MF_TRY(take, db_.prepare("UPDATE mailboxes SET uidnext = uidnext + ? WHERE id = ? RETURNING uidnext"));
  take.bind(1, static_cast<std::int64_t>(messages.size())).bind(2, mailbox);
  MF_TRY(took, take.step());
  if (!took) return make_error(Errc::NotFound, "the mailbox was deleted", std::to_string(mailbox));
  std::int64_t after = take.column_int(0);
  take.reset();
  if (after > 0xffffffffll) return make_error(Errc::Limit, "the mailbox has run out of UIDs");
  std::int64_t first = after - static_cast<std::int64_t>(messages.size());
  MF_TRY(insert, db_.prepare("INSERT INTO messages(mailbox, uid, modseq, sha256, size, internaldate, flags) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?)"));
  std::vector<std::uint32_t> uids;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    insert.reset();
    std::int64_t uid = first + static_cast<std::int64_t>(i);
    insert.bind(1, mailbox).bind(2, uid).bind(3, static_cast<std::int64_t>(modseq)).bind(4, hashes[i]);
    insert.bind(5, static_cast<std::int64_t>(messages[i].bytes.size())).bind(6, messages[i].internaldate);
    insert.bind(7, join_flags(unique_flags(messages[i].flags)));
    MF_CHECK(insert.run());
    uids.push_back(static_cast<std::uint32_t>(uid));
  }
  MF_CHECK(tx.commit());
  return uids;
}

Result<std::vector<std::uint32_t>> Mailstore::copy_rows(std::int64_t from, const std::vector<std::uint32_t>& uids,
                                                        std::int64_t to) {
  MF_TRY(modseq, next_modseq(to));
  MF_TRY(next, db_.prepare("SELECT uidnext FROM mailboxes WHERE id = ?"));
  MF_TRY(found, next.bind(1, to).step());
  if (!found) return make_error(Errc::NotFound, "the mailbox was deleted", std::to_string(to));
  std::int64_t uid = next.column_int(0);
  next.reset();
  MF_TRY(insert, db_.prepare("INSERT INTO messages(mailbox, uid, modseq, sha256, size, internaldate, flags) "
                             "SELECT ?, ?, ?, sha256, size, internaldate, flags FROM messages WHERE mailbox = ? AND uid = ?"));
  std::vector<std::uint32_t> out;
  for (auto source : uids) {
    insert.reset();
    insert.bind(1, to).bind(2, uid).bind(3, static_cast<std::int64_t>(modseq)).bind(4, from);
    insert.bind(5, static_cast<std::int64_t>(source));
    MF_CHECK(insert.run());
    if (db_.changes() == 0) return make_error(Errc::Expunged, "a message was expunged meanwhile", std::to_string(source));
    out.push_back(static_cast<std::uint32_t>(uid++));
  }
  if (uid > 0xffffffffll) return make_error(Errc::Limit, "the mailbox has run out of UIDs");
  MF_TRY(advance, db_.prepare("UPDATE mailboxes SET uidnext = ? WHERE id = ?"));
  MF_CHECK(advance.bind(1, uid).bind(2, to).run());
  return out;
}

Result<std::vector<std::uint32_t>> Mailstore::copy(std::int64_t from, const std::vector<std::uint32_t>& uids,
                                                   std::int64_t to) {
  MF_TRY(tx, sql::Transaction::begin(db_));
  MF_TRY(out, copy_rows(from, uids, to));
  MF_CHECK(check_quota(0));  // the copies are counted: over, and none is made
  MF_CHECK(tx.commit());
  return out;
}

Result<std::vector<std::uint32_t>> Mailstore::move(std::int64_t from, const std::vector<std::uint32_t>& uids,
                                                   std::int64_t to) {
  // One transaction: a crash leaves the messages in one mailbox or the
  // other, never in both or neither; the blobs stay (the copies name them).
  MF_TRY(tx, sql::Transaction::begin(db_));
  MF_TRY(out, copy_rows(from, uids, to));
  MF_CHECK(delete_rows(from, uids));
  MF_CHECK(tx.commit());
  return out;
}

Result<std::vector<Changed>> Mailstore::store(std::int64_t mailbox, const std::vector<std::uint32_t>& uids,
                                              FlagChange change, const std::vector<std::string>& flags,
                                              std::optional<std::uint64_t> unchanged_since,
                                              std::vector<std::uint32_t>* modified) {
  MF_TRY(tx, sql::Transaction::begin(db_));
  MF_TRY(read, db_.prepare("SELECT flags, modseq FROM messages WHERE mailbox = ? AND uid = ?"));
  MF_TRY(write, db_.prepare("UPDATE messages SET flags = ?, modseq = ? WHERE mailbox = ? AND uid = ?"));
  std::optional<std::uint64_t> modseq;
  std::vector<Changed> out;
  for (auto uid : uids) {
    read.reset();
    read.bind(1, mailbox).bind(2, static_cast<std::int64_t>(uid));
    MF_TRY(found, read.step());
    if (!found) continue;  // expunged by another session meanwhile
    if (unchanged_since && static_cast<std::uint64_t>(read.column_int(1)) > *unchanged_since) {
      if (modified) modified->push_back(uid);  // changed since the client looked: left as it is
      continue;
    }
    auto old = split_flags(read.column_text(0));
    std::vector<std::string> now;
    if (change == FlagChange::Replace) now = unique_flags(flags);
    if (change == FlagChange::Add) {
      now = old;
      for (const auto& f : flags)
        if (!has_flag(now, f)) now.push_back(f);
    }
    if (change == FlagChange::Remove)
      for (const auto& f : old)
        if (!has_flag(flags, f)) now.push_back(f);
    auto same = [](std::vector<std::string> a, std::vector<std::string> b) {
      auto lower = [](std::vector<std::string>& v) {
        for (auto& s : v) std::transform(s.begin(), s.end(), s.begin(), ::tolower);
        std::sort(v.begin(), v.end());
      };
      lower(a), lower(b);
      return a == b;
    };
    if (same(old, now)) continue;
    if (!modseq) {
      MF_TRY(taken, next_modseq(mailbox));
      modseq = taken;
    }
    write.reset();
    write.bind(1, join_flags(now)).bind(2, static_cast<std::int64_t>(*modseq)).bind(3, mailbox);
    write.bind(4, static_cast<std::int64_t>(uid));
    MF_CHECK(write.run());
    out.push_back(Changed{uid, *modseq, std::move(now)});
  }
  MF_CHECK(tx.commit());
  return out;
}

Result<std::uint32_t> Mailstore::claim_recent(std::int64_t mailbox) {
  MF_TRY(tx, sql::Transaction::begin(db_));
  MF_TRY(read, db_.prepare("SELECT first_recent_uid, uidnext FROM mailboxes WHERE id = ?"));
  MF_TRY(found, read.bind(1, mailbox).step());
  if (!found) return make_error(Errc::NotFound, "the mailbox was deleted", std::to_string(mailbox));
  auto first = static_cast<std::uint32_t>(read.column_int(0));
  bool news = read.column_int(1) > read.column_int(0);
  read.reset();
  if (!news) return first;  // nothing to take: no write
  MF_TRY(take, db_.prepare("UPDATE mailboxes SET first_recent_uid = uidnext WHERE id = ?"));
  MF_CHECK(take.bind(1, mailbox).run());
  MF_CHECK(tx.commit());
  return first;
}

Result<std::vector<std::string>> Mailstore::delete_rows(std::int64_t mailbox, const std::vector<std::uint32_t>& uids) {
  std::vector<std::string> blobs;
  MF_CHECK(next_modseq(mailbox));
  MF_TRY(del, db_.prepare("DELETE FROM messages WHERE mailbox = ? AND uid = ? RETURNING sha256"));
  for (auto uid : uids) {
    del.reset();
    del.bind(1, mailbox).bind(2, static_cast<std::int64_t>(uid));
    MF_TRY(found, del.step());
    if (found) blobs.push_back(del.column_text(0));
    del.reset();
  }
  return blobs;
}

Result<void> Mailstore::expunge(std::int64_t mailbox, const std::vector<std::uint32_t>& uids) {
  if (uids.empty()) return {};
  MF_TRY(tx, sql::Transaction::begin(db_));
  MF_TRY(blobs, delete_rows(mailbox, uids));
  MF_CHECK(tx.commit());
  return delete_unreferenced(blobs);
}

Result<void> Mailstore::delete_unreferenced(const std::vector<std::string>& blobs) {
  MF_TRY(used, db_.prepare("SELECT 1 FROM messages WHERE sha256 = ? LIMIT 1"));
  for (const auto& sha : std::set<std::string>(blobs.begin(), blobs.end())) {
    used.reset();
    MF_TRY(in_use, used.bind(1, sha).step());
    // A crash before this unlink leaves a file nothing names: space, not a loss.
    if (!in_use) ::unlink(blob_path(sha).c_str());
  }
  return {};
}

Result<std::vector<std::string>> Mailstore::keywords(std::int64_t mailbox) {
  std::vector<std::string> out;
  MF_TRY(s, db_.prepare("SELECT DISTINCT flags FROM messages WHERE mailbox = ? AND flags != ''"));
  s.bind(1, mailbox);
  MF_CHECK(s.each([&](sql::Statement& row) {
    for (auto& f : split_flags(row.column_text(0)))
      if (f.front() != '\\' && !has_flag(out, f)) out.push_back(f);
  }));
  return out;
}

}  // namespace mf::store
