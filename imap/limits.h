// Limits the IMAP codec enforces on untrusted input. Exceeding one is an
// Errc::Limit error naming the limit, never a crash or unbounded memory.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mf::imap {

struct Limits {
  std::size_t max_line = 1 << 20;                   // one line between literals
  std::uint64_t max_literal = 1ull << 30;           // one literal (a message)
  std::size_t max_literals_per_frame = 1 << 20;     // literals in one response/command
  int max_depth = 64;                               // nested parenthesised lists
};

}  // namespace mf::imap
