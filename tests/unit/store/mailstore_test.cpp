#include "store/mailstore.h"

#include "core/sha256.h"
#include "tests/support/temp_dir.h"

#include <filesystem>
#include <fstream>

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::store;

namespace {

Mailstore open_store(const std::string& dir) {
  auto s = Mailstore::open(dir);
  REQUIRE(s);
  return std::move(*s);
}

NewMessage message(std::string_view bytes, std::vector<std::string> flags = {}) {
  return NewMessage{bytes, std::move(flags), "02-Dec-2026 18:06:00 +0100"};
}

std::size_t blob_files(const std::string& dir) {
  std::size_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir + "/blobs"))
    n += e.is_regular_file() && e.path().extension() == ".zst";
  return n;
}

}  // namespace

TEST_CASE("a store keeps a message's bytes exactly with CR CR LF and NUL", "[store]") {
  test::TempDir dir;
  auto s = open_store(dir.path + "/alice");
  auto inbox = s.mailbox("inbox");
  REQUIRE(inbox);
  CHECK(inbox->name == "INBOX");
  std::string odd = std::string("Subject: x\r\r\n\r\nbody\0with NUL\n\rend", 33);
  auto uids = s.append(inbox->id, {message(odd, {"\\Seen", "$Label1", "\\seen"})});
  REQUIRE(uids);
  REQUIRE(uids->size() == 1);
  CHECK((*uids)[0] == 1);
  auto all = s.messages(inbox->id);
  REQUIRE(all);
  REQUIRE(all->size() == 1);
  CHECK((*all)[0].size == odd.size());
  CHECK((*all)[0].flags == std::vector<std::string>{"\\Seen", "$Label1"});  // a repeat in another case is one flag
  CHECK((*all)[0].internaldate == "02-Dec-2026 18:06:00 +0100");
  auto bytes = s.read((*all)[0].sha256);
  REQUIRE(bytes);
  CHECK(*bytes == odd);
  // Reopened, it is all still there.
  auto again = open_store(dir.path + "/alice");
  auto reread = again.messages(inbox->id);
  REQUIRE(reread);
  CHECK(reread->size() == 1);
}

TEST_CASE("UIDs only rise and a mailbox made again gets a new UIDVALIDITY", "[store]") {
  test::TempDir dir;
  auto s = open_store(dir.path + "/u");
  REQUIRE(s.create("Work/2024"));
  auto made = s.create("Work/2024");
  REQUIRE_FALSE(made);
  CHECK(made.error().code == Errc::Exists);
  auto parent = s.mailbox("Work");
  REQUIRE(parent);  // RFC 9051 §6.3.4: parents are made
  auto box = s.mailbox("Work/2024");
  REQUIRE(box);
  auto first = s.append(box->id, {message("a"), message("b")});
  REQUIRE(first);
  CHECK(*first == std::vector<std::uint32_t>{1, 2});
  REQUIRE(s.expunge(box->id, {2}));
  auto next = s.append(box->id, {message("c")});
  REQUIRE(next);
  CHECK((*next)[0] == 3);  // never 2 again
  std::uint32_t old_validity = box->uidvalidity;
  REQUIRE(s.remove("Work/2024"));
  REQUIRE(s.create("Work/2024"));
  auto remade = s.mailbox("Work/2024");
  REQUIRE(remade);
  CHECK(remade->uidvalidity != old_validity);
  CHECK(remade->uidnext == 1);
  auto refused = s.remove("Work");  // it has a child again
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::Exists);
  auto inbox = s.remove("INBOX");
  REQUIRE_FALSE(inbox);
  CHECK(inbox.error().code == Errc::Perm);
}

TEST_CASE("renaming moves the children and renaming INBOX moves its messages and leaves it empty", "[store]") {
  test::TempDir dir;
  auto s = open_store(dir.path + "/u");
  REQUIRE(s.create("A/B/C"));
  REQUIRE(s.rename("A", "X/Y"));
  CHECK_FALSE(s.mailbox("A"));
  CHECK(s.mailbox("X"));
  CHECK(s.mailbox("X/Y/B/C"));
  auto into_itself = s.rename("X", "X/Z");
  REQUIRE_FALSE(into_itself);
  auto inbox = s.mailbox("INBOX");
  REQUIRE(inbox);
  REQUIRE(s.append(inbox->id, {message("one", {"\\Flagged"}), message("two")}));
  REQUIRE(s.rename("INBOX", "Old"));
  auto old = s.mailbox("Old");
  REQUIRE(old);
  auto moved = s.messages(old->id);
  REQUIRE(moved);
  REQUIRE(moved->size() == 2);
  CHECK((*moved)[0].flags == std::vector<std::string>{"\\Flagged"});
  auto left = s.messages(inbox->id);
  REQUIRE(left);
  CHECK(left->empty());
}

TEST_CASE("flag changes raise the modseq of what they change only", "[store]") {
  test::TempDir dir;
  auto s = open_store(dir.path + "/u");
  auto inbox = s.mailbox("INBOX");
  REQUIRE(inbox);
  REQUIRE(s.append(inbox->id, {message("1"), message("2", {"\\Seen"})}));
  auto before = s.mailbox("INBOX");
  REQUIRE(before);
  auto changed = s.store(inbox->id, {1, 2}, FlagChange::Add, {"\\Seen"});
  REQUIRE(changed);
  REQUIRE(changed->size() == 1);  // message 2 had it
  CHECK((*changed)[0].uid == 1);
  CHECK((*changed)[0].modseq > before->highestmodseq);
  auto removed = s.store(inbox->id, {1, 2}, FlagChange::Remove, {"\\SEEN"});
  REQUIRE(removed);
  CHECK(removed->size() == 2);  // system flags match in any case
  auto replaced = s.store(inbox->id, {2}, FlagChange::Replace, {"$Work", "\\Draft"});
  REQUIRE(replaced);
  REQUIRE(replaced->size() == 1);
  CHECK((*replaced)[0].flags == std::vector<std::string>{"$Work", "\\Draft"});
  // UNCHANGEDSINCE (RFC 7162 §3.1.3): message 2 changed after message 1's modseq, so only 1 changes.
  std::uint64_t since = (*removed)[0].uid == 1 ? (*removed)[0].modseq : (*removed)[1].modseq;
  std::vector<std::uint32_t> modified;
  auto conditional = s.store(inbox->id, {1, 2}, FlagChange::Add, {"\\Flagged"}, since, &modified);
  REQUIRE(conditional);
  REQUIRE(conditional->size() == 1);
  CHECK((*conditional)[0].uid == 1);
  CHECK(modified == std::vector<std::uint32_t>{2});
  auto keywords = s.keywords(inbox->id);
  REQUIRE(keywords);
  CHECK(*keywords == std::vector<std::string>{"$Work"});
}

TEST_CASE("a blob goes when the last message naming it goes", "[store]") {
  test::TempDir dir;
  auto s = open_store(dir.path + "/u");
  REQUIRE(s.create("Copy"));
  auto inbox = s.mailbox("INBOX");
  auto copy = s.mailbox("Copy");
  REQUIRE(inbox);
  REQUIRE(copy);
  REQUIRE(s.append(inbox->id, {message("same"), message("same"), message("other")}));
  CHECK(blob_files(dir.path + "/u") == 2);  // stored once by SHA-256
  auto copied = s.copy(inbox->id, {1, 3}, copy->id);
  REQUIRE(copied);
  CHECK(*copied == std::vector<std::uint32_t>{1, 2});
  REQUIRE(s.expunge(inbox->id, {1, 2, 3}));
  CHECK(blob_files(dir.path + "/u") == 2);  // the copies still need both
  REQUIRE(s.expunge(copy->id, {1}));
  CHECK(blob_files(dir.path + "/u") == 1);
  auto gone = s.copy(inbox->id, {1}, copy->id);
  REQUIRE_FALSE(gone);
  CHECK(gone.error().code == Errc::Expunged);
}

TEST_CASE("a damaged message file is an error naming it and never other bytes", "[store]") {
  test::TempDir dir;
  auto s = open_store(dir.path + "/u");
  auto inbox = s.mailbox("INBOX");
  REQUIRE(inbox);
  std::string text(5000, 'x');
  REQUIRE(s.append(inbox->id, {message(text)}));
  std::string sha = to_hex(sha256(text));
  std::string path = dir.path + "/u/blobs/" + sha.substr(0, 2) + "/" + sha + ".zst";
  REQUIRE(std::filesystem::exists(path));
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-3, std::ios::end);
    f.put('\x55');
  }
  auto read = s.read(sha);
  REQUIRE_FALSE(read);
  CHECK(read.error().code == Errc::Corrupt);
  CHECK(read.error().where == path);
  std::filesystem::remove(path);
  auto missing = s.read(sha);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == Errc::NotFound);
}

TEST_CASE("a mailbox's counts come from SQL as STATUS reports them", "[store]") {
  test::TempDir dir;
  auto s = open_store(dir.path + "/u");
  auto inbox = s.mailbox("INBOX");
  REQUIRE(inbox);
  REQUIRE(s.append(inbox->id, {message("a", {"\\seen"}), message("bb", {"$Seenish", "\\Deleted"}), message("ccc")}));
  REQUIRE(s.claim_recent(inbox->id));
  REQUIRE(s.append(inbox->id, {message("dddd")}));
  auto now = s.mailbox("INBOX");
  REQUIRE(now);
  auto c = s.counts(*now);
  REQUIRE(c);
  CHECK(c->messages == 4);
  CHECK(c->unseen == 3);  // "\seen" is \Seen; "$Seenish" is not
  CHECK(c->deleted == 1);
  CHECK(c->size == 10);
  CHECK(c->recent == 1);  // only the one that came after the claim
}

TEST_CASE("a store counts every copy against its quota and refuses what does not fit", "[store][quota]") {
  mf::test::TempDir dir;
  {
    auto s = open_store(dir.path);
    auto inbox = s.mailbox("INBOX");
    REQUIRE(inbox);
    REQUIRE(s.create("Archive"));
    auto archive = s.mailbox("Archive");
    REQUIRE(archive);
    REQUIRE(s.append(inbox->id, {message("0123456789"), message("abcdefghij")}));
    CHECK(*s.storage_used() == 20);
    CHECK(*s.quota() == 0);  // none: anything fits
    s.set_default_quota(25);
    CHECK(*s.quota() == 25);
    auto over = s.append(inbox->id, {message("0123456")});
    REQUIRE_FALSE(over);
    CHECK(over.error().code == Errc::NoSpace);
    CHECK(over.error().message.find("over quota: 20 of 25 bytes used, 7 more asked") != std::string::npos);
    CHECK(blob_files(dir.path) == 2);  // nothing written for it
    // A COPY that would go over makes no copy; a MOVE's copies do not count (its expunge gives the space back).
    auto copied = s.copy(inbox->id, {1, 2}, archive->id);
    REQUIRE_FALSE(copied);
    CHECK(copied.error().code == Errc::NoSpace);
    CHECK(s.messages(archive->id)->empty());
    auto moved = s.move(inbox->id, {1}, archive->id);
    REQUIRE(moved);
    CHECK(*moved == std::vector<std::uint32_t>{1});
    CHECK(s.messages(inbox->id)->size() == 1);  // copy and expunge in one transaction
    CHECK(s.messages(archive->id)->size() == 1);
    CHECK(blob_files(dir.path) == 2);           // the moved message's blob stays
    CHECK(*s.storage_used() == 20);
    // A user's own quota overrides the default, and is kept in the catalog.
    REQUIRE(s.set_own_quota(1000));
    REQUIRE(s.append(inbox->id, {message("0123456")}));
    CHECK(*s.storage_used() == 27);
    auto counts = s.counts(*inbox);
    REQUIRE(counts);
    CHECK(counts->size == 17);
  }
  auto again = open_store(dir.path);
  CHECK(*again.storage_used() == 27);  // kept by the catalog's triggers, not recounted
  CHECK(*again.quota() == 1000);
  REQUIRE(again.set_own_quota(std::nullopt));
  CHECK(*again.quota() == 0);
  REQUIRE(again.remove("Archive"));  // removing a mailbox gives its space back
  CHECK(*again.storage_used() == 17);
}
