// SEARCH keys (RFC 9051 §6.4.4) as a tree, and their evaluation against one
// message. Text keys compare case-insensitively (ASCII) with the raw
// header or body bytes: no MIME decoding yet.
#pragma once

#include "core/error.h"
#include "imap/sequence_set.h"
#include "imap/value.h"
#include "store/mailstore.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mf::server {

struct SearchKey {
  enum class Kind {
    All, Flag, NoFlag, Larger, Smaller, Modseq, Uid, Seq, Saved, Not, Or, And,
    Before, On, Since, SentBefore, SentOn, SentSince, Header, Body, Text, Recent
  };
  Kind kind = Kind::All;
  std::string text;   // the flag, the header field name (upper case), or what to look for
  std::string value;  // Header: what to look for
  std::uint64_t number = 0;  // Larger, Smaller, Modseq; dates as days since 1970-01-01
  imap::SequenceSet set;
  std::vector<SearchKey> children;
  bool raw_header = false;  // HEADER name string: the field's text only
};

// The search program of a SEARCH command's arguments (after CHARSET, which
// must be US-ASCII or UTF-8). Errc::Protocol naming what is not understood.
[[nodiscard]] Result<SearchKey> parse_search(const std::vector<imap::Value>& args);
// Keys in a charset (SORT's and THREAD's, RFC 5256): one other than
// US-ASCII or UTF-8 is Errc::Usage (the answer's BADCHARSET).
[[nodiscard]] Result<SearchKey> parse_search_in(const imap::Value& charset, const std::vector<imap::Value>& keys);

// Whether the key needs the message's bytes (a text or SENT* key).
bool needs_bytes(const SearchKey& key);
// Whether the key has a MODSEQ key (RFC 7162 §3.1.5: the answer then names the highest mod-sequence found).
bool uses_modseq(const SearchKey& key);

struct SearchSubject {
  std::uint32_t seq = 0;
  std::uint32_t max_seq = 0, max_uid = 0;  // what "*" stands for
  const store::MessageRecord* record = nullptr;
  const std::string* bytes = nullptr;  // when needs_bytes
  bool recent = false;                 // \Recent to this session
  const std::vector<std::uint32_t>* saved = nullptr;  // "$": the saved result's UIDs, ascending (RFC 5182)
};

bool matches(const SearchKey& key, const SearchSubject& message);

}  // namespace mf::server
