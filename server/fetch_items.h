// FETCH attributes (RFC 9051 §6.4.5) parsed into what to send, and the
// bytes of a body section. Pure: unit-tested without a session.
#pragma once

#include "core/error.h"
#include "imap/value.h"
#include "mime/structure.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mf::server {

struct SectionRequest {
  enum class Part { All, Header, Text, HeaderFields, HeaderFieldsNot, Mime };
  Part part = Part::All;
  std::vector<unsigned> part_numbers;  // "1.2" in BODY[1.2.MIME]; empty: the whole message
  std::vector<std::string> fields;  // upper case, for HEADER.FIELDS (.NOT)
  bool peek = false;                // BODY.PEEK, RFC822.HEADER: \Seen is not set
  std::optional<std::uint64_t> origin, count;  // <origin.count>
  std::string response_name;        // "BODY[HEADER.FIELDS (FROM TO)]<0>", "RFC822", ...
};

struct FetchItem {
  enum class Kind { Uid, Flags, InternalDate, Size, Modseq, Section, Binary, BinarySize, Envelope, Body, BodyStructure };
  Kind kind;
  SectionRequest section;  // Kind::Section; for Binary and BinarySize its part numbers, peek and partial
};

struct FetchRequest {
  std::vector<FetchItem> items;
  bool sets_seen() const;   // a BODY[...] or RFC822 without PEEK
  bool needs_bytes() const;     // a section, ENVELOPE, BODY or BODYSTRUCTURE
  bool has(FetchItem::Kind kind) const;
  std::optional<std::uint64_t> changed_since;  // the CHANGEDSINCE modifier (RFC 7162 §3.1.4.1)
};

// The modifiers after a FETCH's items (RFC 4466 §2.4): "(CHANGEDSINCE n)".
[[nodiscard]] Result<void> parse_fetch_modifiers(const imap::Value& list, FetchRequest& request);

// The attribute list of a FETCH: one atom or a parenthesised list; the
// macros ALL, FAST and FULL; BINARY, BINARY.PEEK and BINARY.SIZE (RFC 3516
// §4.2). Errc::Protocol naming what is not understood.
[[nodiscard]] Result<FetchRequest> parse_fetch_items(const imap::Value& value);

// The bytes a section names in a message (before any <origin.count>); a
// part that is not there is empty (RFC 9051 §6.4.5). tree: the message's
// MIME tree when the caller made it already; parsed here when a part number needs it.
std::string section_bytes(std::string_view message, const SectionRequest& section, const mime::Part* tree = nullptr);

}  // namespace mf::server
