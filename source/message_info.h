// What a report shows of a message: its Message-ID, Subject and Date, read from
// the header without a full MIME parse (unfolded, undecoded).
#pragma once

#include <string>
#include <string_view>

namespace mf::source {

struct MessageInfo {
  std::string message_id;
  std::string subject;
  std::string date;  // the Date: header as written
};

MessageInfo read_message_info(std::string_view raw);

// SHA-256 of the message with each line end (LF after any number of CRs)
// as a bare LF: equal for two messages that differ only in how their lines
// end (Dovecot stores CR CR LF as CR LF). A CR inside a line still counts.
std::string line_ending_blind_hash(std::string_view raw);

// SHA-256 of the message blind to what known servers change on APPEND: every
// CR (Dovecot's line ends, Courier deleting a CR inside a line) and, in the
// header, every 8-bit or NUL byte and every 'X' and '?' (what Cyrus's
// munge8bit and Zimbra put in place of 8-bit bytes, one per byte or one per
// character). Recognises a message mailferry appended although the target
// keeps other bytes; not a proof of equality.
std::string rewrite_blind_hash(std::string_view raw);

// Whether a server may store other bytes than these (a CR that does not end
// a line, or an 8-bit or NUL byte in the header): such a message is
// recognised on the target by rewrite_blind_hash, not only by its SHA-256.
bool may_be_rewritten(std::string_view raw);

}  // namespace mf::source
