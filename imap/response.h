// Server responses as a client meets them (RFC 3501, RFC 9051 §7), parsed
// from a Frame. Unknown response data and unknown response codes are kept
// verbatim rather than rejected, so a new server extension never breaks us.
#pragma once

#include "core/error.h"
#include "imap/framer.h"
#include "imap/sequence_set.h"
#include "imap/value.h"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace mf::imap {

enum class Status { Ok, No, Bad, PreAuth, Bye };
std::string_view status_name(Status s);

// "[NAME args]" in a status response (RFC 9051 §7.1). Known codes (ALERT,
// CAPABILITY, PERMANENTFLAGS, UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, APPENDUID,
// COPYUID, TRYCREATE, THROTTLED, ...) and unknown ones alike keep their
// arguments verbatim in args; values holds them tokenised when that works.
struct ResponseCode {
  std::string name;  // upper case
  std::string args;
  std::vector<Value> values;

  std::optional<std::uint64_t> number(std::size_t index) const;
};

struct StatusResponse {
  std::string tag;  // "*" when untagged
  Status status = Status::Ok;
  std::optional<ResponseCode> code;
  std::string text;
};

struct Continuation {
  std::string text;
};

struct CapabilityData {
  std::vector<std::string> capabilities;  // upper case
};

struct ListData {
  bool lsub = false;
  std::vector<std::string> attributes;  // as sent, e.g. "\HasNoChildren"
  std::optional<char> delimiter;        // nullopt for NIL (flat namespace)
  std::string mailbox;                  // as sent: modified UTF-7 (or UTF-8 under UTF8=ACCEPT)

  bool has_attribute(std::string_view name) const;
};

struct StatusData {
  std::string mailbox;
  std::vector<std::pair<std::string, std::uint64_t>> items;  // names upper case
};

struct FlagsData {
  std::vector<std::string> flags;
};

struct SearchData {
  std::vector<std::uint32_t> numbers;
  std::optional<std::uint64_t> modseq;
};

struct ESearchData {
  std::string tag;
  bool uid = false;
  std::vector<std::pair<std::string, Value>> items;  // names upper case
};

struct EnabledData {
  std::vector<std::string> capabilities;
};

struct ExistsData { std::uint32_t count = 0; };
struct RecentData { std::uint32_t count = 0; };
struct ExpungeData { std::uint32_t seq = 0; };

struct VanishedData {
  bool earlier = false;
  SequenceSet uids;
};

struct FetchSection {
  std::string name;  // e.g. "BODY[]", "BODY[HEADER]<0>", "BINARY[1]"
  Value data;        // String (maybe streamed) or Nil
};

struct FetchData {
  std::uint32_t seq = 0;
  std::optional<std::uint32_t> uid;
  std::optional<std::vector<std::string>> flags;  // only flag atoms (RFC 9051 §9 flag-fetch)
  std::vector<std::string> invalid_flags;         // what FLAGS held that is not a flag, for a report
  std::optional<std::string> internaldate;  // as sent: "dd-Mon-yyyy hh:mm:ss +zzzz"
  std::optional<std::uint64_t> size;        // RFC822.SIZE
  std::optional<std::uint64_t> modseq;
  std::vector<FetchSection> sections;
  std::vector<std::pair<std::string, Value>> other;  // ENVELOPE, BODYSTRUCTURE, unknown items

  // The first section whose name starts with prefix (e.g. "BODY["), or null.
  const FetchSection* section(std::string_view prefix) const;
  FetchSection* section(std::string_view prefix);
};

// RFC 2342: personal, other users' and shared namespaces, each a list of
// (prefix, delimiter); an empty list for NIL.
struct Namespace {
  std::string prefix;  // as sent (modified UTF-7), e.g. "INBOX." or ""
  std::optional<char> delimiter;
};

struct NamespaceData {
  std::vector<Namespace> personal, other_users, shared;
};

struct UnknownData {
  std::string text;  // the raw line
};

using Response = std::variant<StatusResponse, Continuation, CapabilityData, ListData, StatusData, FlagsData,
                              SearchData, ESearchData, EnabledData, ExistsData, RecentData, ExpungeData,
                              VanishedData, FetchData, NamespaceData, UnknownData>;

// Parses one frame. Errors are Errc::Protocol (malformed) or Errc::Limit.
[[nodiscard]] Result<Response> parse_response(Frame& frame, const Limits& limits = {});

}  // namespace mf::imap
