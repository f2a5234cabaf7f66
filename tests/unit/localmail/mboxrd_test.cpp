// mboxrd quoting: every "From " line (after any '>') gains one '>' and
// loses it again, so any message comes back byte for byte.
#include "localmail/mboxrd.h"

#include "tests/result_printer.h"

using mf::localmail::mboxrd_escape;
using mf::localmail::mboxrd_unescape;

TEST_CASE("mboxrd quotes From lines at any depth and gives the message back unchanged", "[localmail]") {
  std::string message = "From: a@example.org\r\n\r\nFrom here\r\n>From there\n>>From afar\nnot From x\nFrom";
  std::string quoted = mboxrd_escape(message);
  CHECK(quoted == "From: a@example.org\r\n\r\n>From here\r\n>>From there\n>>>From afar\nnot From x\nFrom");
  CHECK(mboxrd_unescape(quoted) == message);
  for (std::string edge : {"", "\n", "From x", ">From x\n", "\r\n\r\n", "From \n"})
    CHECK(mboxrd_unescape(mboxrd_escape(edge)) == edge);
}
