// THREAD (RFC 5256 §4): ORDEREDSUBJECT and REFERENCES over what the
// selected messages' headers say, and the THREAD response's nesting.
// Pure: unit-tested without a session.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mf::server {

struct ThreadMessage {
  std::uint32_t number = 0;  // what the answer names: a sequence number or a UID
  std::uint32_t seq = 0;     // ties keep mailbox order
  std::int64_t date = 0;     // the sent date (server/sort_keys.h: INTERNALDATE when none)
  std::string subject;       // the base subject, upper case
  bool reply_or_forward = false;
  std::string message_id;    // without <>; empty when none
  std::vector<std::string> references;  // References, else In-Reply-To's first; oldest first
};

// A message's threading headers read from its header section.
ThreadMessage thread_message(std::uint32_t number, std::uint32_t seq, std::int64_t date, std::string_view message);

// The THREAD response's data after "THREAD": "(1 (2 4)(3))(5)".
std::string thread_ordered_subject(std::vector<ThreadMessage> messages);
std::string thread_references(std::vector<ThreadMessage> messages);

}  // namespace mf::server
