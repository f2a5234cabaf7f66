#include "server/thread.h"

#include "tests/result_printer.h"

using namespace mf;
using namespace mf::server;

namespace {

ThreadMessage message(std::uint32_t seq, const std::string& headers, std::int64_t date = 0) {
  return thread_message(seq, seq, date, headers + "\r\n");
}

}  // namespace

TEST_CASE("THREAD REFERENCES links replies, breaks loops and keeps duplicates apart", "[server][thread]") {
  // A reply chain with a missing message between them, a second reply to the root.
  std::vector<ThreadMessage> chain = {message(1, "Message-ID: <1@x>\r\n"), message(2, "Message-ID: <2@x>\r\nIn-Reply-To: <1@x>\r\n"),
                                      message(3, "Message-ID: <3@x>\r\nIn-Reply-To: <1@x>\r\n"),
                                      message(4, "Message-ID: <4@x>\r\nReferences: <1@x> <2@x>\r\n")};
  CHECK(thread_references(chain) == "(1 (2 4)(3))");
  // A reference that would make a loop is not followed: the message's own References win (imaptest's "thread").
  std::vector<ThreadMessage> loop = {message(1, "Message-ID: <a@b>\r\n", 3),
                                     message(2, "Message-ID: <b@b>\r\nReferences: <a@b> <c@b>\r\n", 1),
                                     message(3, "Message-ID: <c@b>\r\nReferences: <b@b>\r\n", 2)};
  CHECK(thread_references(loop) == "(3 2)(1)");
  // Two messages with one Message-ID are two messages; two replies to a missing one share a dummy.
  CHECK(thread_references({message(1, "Message-ID: <a@b>\r\n"), message(2, "Message-ID: <a@b>\r\n")}) == "(1)(2)");
  CHECK(thread_references({message(1, "References: <gone@b>\r\n"), message(2, "References: <gone@b>\r\n")}) ==
        "((1)(2))");
  // Without references, a reply's subject puts it under the original.
  CHECK(thread_references({message(1, "Subject: Plan\r\n"), message(2, "Subject: Re: plan\r\n")}) == "(1 2)");
  CHECK(thread_references({}).empty());
}

TEST_CASE("THREAD ORDEREDSUBJECT groups by base subject under the earliest", "[server][thread]") {
  std::vector<ThreadMessage> m = {message(1, "Subject: a\r\n", 10), message(2, "Subject: b\r\n", 9),
                                  message(3, "Subject: Re: a\r\n", 8), message(4, "Subject: b\r\n", 7),
                                  message(5, "Subject: c\r\n", 20), message(6, "Subject: a\r\n", 30)};
  CHECK(thread_ordered_subject(m) == "(4 2)(3 (1)(6))(5)");
}
