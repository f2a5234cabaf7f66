// The DATA section of SMTP and LMTP (RFC 5321 §4.1.1.4, §4.5.2): lines up
// to a line holding only ".", dot-stuffing removed, fed in pieces as they
// arrive. No I/O.
#pragma once

#include "core/error.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace mf::smtp {

class DataReader {
 public:
  explicit DataReader(std::uint64_t max_size) : max_size_(max_size) {}

  // Takes bytes; returns how many it used (it stops after the final "."
  // line, the rest belongs to the next command). Errc::Limit once the
  // message is larger than max_size (the rest is still read to the end, so
  // the session can answer and go on).
  std::size_t feed(std::string_view bytes);
  bool done() const { return done_; }
  bool too_large() const { return too_large_; }
  // The message, line ends as sent, without the final "." line.
  std::string& message() { return message_; }

 private:
  void take_line(std::string_view line);

  std::uint64_t max_size_;
  std::string message_;
  std::string partial_;  // a line not ended yet
  bool done_ = false;
  bool too_large_ = false;
};

}  // namespace mf::smtp
