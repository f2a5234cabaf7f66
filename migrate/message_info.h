// What a report shows of a message: its Message-ID, Subject and Date, read from
// the header without a full MIME parse (unfolded, undecoded).
#pragma once

#include <string>
#include <string_view>

namespace mf::migrate {

struct MessageInfo {
  std::string message_id;
  std::string subject;
  std::string date;  // the Date: header as written
};

MessageInfo read_message_info(std::string_view raw);

// SHA-256 of the message with every CR removed: equal for two messages that
// differ only in line endings (Dovecot stores CR CR LF as CR LF).
std::string line_ending_blind_hash(std::string_view raw);
// Whether a CR stands anywhere but before LF: such a message may not arrive
// byte for byte (servers normalise line ends), only line-ending-blind.
bool has_lone_cr(std::string_view raw);

}  // namespace mf::migrate
