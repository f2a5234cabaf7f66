#include "migrate/verify.h"
#include "source/compare.h"
#include "source/message_info.h"

#include "core/sha256.h"

#include "tests/result_printer.h"

using namespace mf::source;
using mf::migrate::VerifyOptions;
using mf::migrate::VerifyResult;

namespace {
MessageDigest digest(std::uint32_t uid, const std::string& body, std::vector<std::string> flags = {},
                     std::int64_t date = 1000) {
  MessageDigest d;
  d.uid = uid;
  d.sha256 = mf::to_hex(mf::sha256(body));
  d.blind_sha256 = line_ending_blind_hash(body);
  d.rewrite_sha256 = rewrite_blind_hash(body);
  d.size = body.size();
  d.flags = std::move(flags);
  d.internaldate = date;
  auto info = read_message_info(body);
  d.message_id = info.message_id;
  d.subject = info.subject;
  return d;
}

const std::string kA = "Message-ID: <a@x>\r\nSubject: A\r\n\r\nbody a\r\n";
const std::string kB = "Message-ID: <b@x>\r\nSubject: B\r\n\r\nbody b\r\n";
}  // namespace

TEST_CASE("identical folders compare clean", "[migrate][verify]") {
  auto c = compare_folder({digest(1, kA, {"\\Seen"}), digest(2, kB)}, {digest(7, kB), digest(8, kA, {"\\seen"})});
  CHECK(c.matched == 2);
  CHECK(c.differences.empty());
}

TEST_CASE("two identical messages are two: one missing copy is found", "[migrate][verify]") {
  auto c = compare_folder({digest(1, kA), digest(2, kA)}, {digest(5, kA)});
  CHECK(c.matched == 1);
  REQUIRE(c.differences.size() == 1);
  CHECK(c.differences[0].kind == DifferenceKind::Missing);
  CHECK(c.differences[0].source_uid == 2);
  CHECK(c.differences[0].message_id == "<a@x>");
}

TEST_CASE("differences are classified", "[migrate][verify]") {
  std::string a_cr = "Message-ID: <a@x>\r\nSubject: A\r\n\r\nbody a\r\r\n";
  std::string b_changed = "Message-ID: <b@x>\r\nSubject: B\r\n\r\nbody B!\r\n";
  std::string c = "Message-ID: <c@x>\r\nSubject: C\r\n\r\nc\r\n";
  std::string d = "Subject: D\r\n\r\nno id\r\n";
  auto cmp = compare_folder({digest(1, a_cr), digest(2, kB), digest(3, c, {"\\Seen"}, 5), digest(4, d)},
                            {digest(1, kA), digest(2, b_changed), digest(3, c, {}, 6), digest(9, "Subject: E\r\n\r\n")});
  std::map<DifferenceKind, int> kinds;
  for (const auto& diff : cmp.differences) ++kinds[diff.kind];
  CHECK(kinds[DifferenceKind::LineEndingsDiffer] == 1);
  CHECK(kinds[DifferenceKind::ContentDiffers] == 1);
  CHECK(kinds[DifferenceKind::FlagsDiffer] == 1);
  CHECK(kinds[DifferenceKind::DateDiffers] == 1);
  CHECK(kinds[DifferenceKind::Missing] == 1);
  CHECK(kinds[DifferenceKind::Extra] == 1);
  CHECK(cmp.matched == 1);
}

TEST_CASE("message info reads folded headers and stops at the body", "[migrate][verify]") {
  auto info = read_message_info("From: x\r\nSubject: a long\r\n\tsubject\r\nMessage-Id:  <id@h> \r\n\r\nSubject: no\r\n");
  CHECK(info.subject == "a long subject");
  CHECK(info.message_id == "<id@h>");
  auto none = read_message_info("\r\nSubject: in body\r\n");
  CHECK(none.subject.empty());
  CHECK(line_ending_blind_hash("a\r\r\nb") == line_ending_blind_hash("a\nb"));
}

TEST_CASE("only differences in how lines end are line-ending differences", "[migrate][verify]") {
  CHECK(line_ending_blind_hash("a\r\r\nb\r\n") == line_ending_blind_hash("a\r\nb\n"));
  // Courier deletes a CR inside a line: that changes the text.
  CHECK(line_ending_blind_hash("vary by\rstate\r\n") != line_ending_blind_hash("vary bystate\r\n"));
  auto cmp = compare_folder({digest(1, "Subject: s\r\n\r\nvary by\rstate\r\n")},
                            {digest(1, "Subject: s\r\n\r\nvary bystate\r\n")});
  REQUIRE(cmp.differences.size() == 1);
  CHECK(cmp.differences[0].kind == DifferenceKind::RewrittenByTarget);
  VerifyResult r;
  r.folders.push_back(cmp);
  VerifyOptions lenient;
  lenient.line_endings_ok = true;
  CHECK_FALSE(r.identical(lenient));  // --ignore-line-endings does not let changed text pass
}

TEST_CASE("the rewrite-blind hash sees through 8-bit header bytes replaced, not through a changed body",
          "[migrate][verify]") {
  const std::string sent = "Subject: Gr\xc3\xbc\xc3\x9f" "e\r\n\r\nk\xc3\xa4se\r\n";
  CHECK(may_be_rewritten(sent));
  CHECK_FALSE(may_be_rewritten("Subject: plain\r\n\r\nk\xc3\xa4se\r\n"));  // 8-bit only in the body
  CHECK(may_be_rewritten("Subject: s\r\n\r\na\r\r\n"));
  CHECK(rewrite_blind_hash(sent) == rewrite_blind_hash("Subject: GrXXXXe\r\n\r\nk\xc3\xa4se\r\n"));  // Cyrus
  CHECK(rewrite_blind_hash(sent) == rewrite_blind_hash("Subject: Gr??e\r\n\r\nk\xc3\xa4se\r\n"));    // per character
  CHECK(rewrite_blind_hash(sent) != rewrite_blind_hash("Subject: GrXXXXe\r\n\r\nkXXse\r\n"));  // body changed
  CHECK(rewrite_blind_hash(sent) != rewrite_blind_hash("Subject: Gruesse\r\n\r\nk\xc3\xa4se\r\n"));
}
