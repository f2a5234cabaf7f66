// SORT criteria (RFC 5256 §3, DISPLAYFROM and DISPLAYTO of RFC 5957) and
// what each compares: a message's base subject (RFC 5256 §2.1), the first
// address's mailbox, its display name, the sent date. Pure: unit-tested
// without a session.
#pragma once

#include "core/error.h"
#include "imap/value.h"
#include "store/mailstore.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mf::server {

struct SortCriterion {
  enum class Key { Arrival, Cc, Date, From, Size, Subject, To, DisplayFrom, DisplayTo };
  Key key;
  bool reverse = false;
};

// "(REVERSE DATE SUBJECT)": Errc::Protocol naming what is not a criterion.
[[nodiscard]] Result<std::vector<SortCriterion>> parse_sort_criteria(const imap::Value& list);

// RFC 5256 §2.1: the subject with RFC 2047 words decoded, white space
// collapsed, and the "Re:", "Fwd:", "[blob]", "(fwd)" and "[fwd: ...]"
// wrappers of replies and forwards taken off.
// reply_or_forward: whether a "Re:", "Fwd:", "(fwd)" or "[fwd: ...]" came off
// (THREAD=REFERENCES prefers a thread's original to its replies, §4).
std::string base_subject(std::string_view subject);
std::string base_subject(std::string_view subject, bool& reply_or_forward);

// What the criteria compare of one message, taken from its header once.
struct SortValues {
  std::uint32_t seq = 0;
  std::int64_t arrival = 0, date = 0;  // epoch seconds (UTC); date falls back to arrival
  std::uint64_t size = 0;
  std::string subject, from, to, cc, display_from, display_to;  // upper case (i;ascii-casemap)
};

SortValues sort_values(std::uint32_t seq, const store::MessageRecord& record, std::string_view message);

// Whether a sorts before b: the criteria in order, REVERSE turning one
// round, and the sequence number last (RFC 5256 §3: ties keep mailbox order).
bool sorts_before(const std::vector<SortCriterion>& criteria, const SortValues& a, const SortValues& b);

}  // namespace mf::server
