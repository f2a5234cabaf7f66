// The one table of what the index holds (notmuch's prefix table is the
// model): each query field, the term prefix it is indexed under, and
// whether it is free text (words, stemmed) or a boolean filter (exact
// values). Values (slots) hold what ranges and sorting need.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mf::search {

struct Field {
  std::string_view name;    // as written in a query: "from:"
  std::string_view prefix;  // Xapian term prefix ("" for the body: bare words search it)
  bool boolean;             // exact values (folder:INBOX), not words
};

inline constexpr std::array<Field, 16> kFields = {{
    {"from", "XFROM", false},
    {"to", "XTO", false},
    {"cc", "XCC", false},
    {"bcc", "XBCC", false},
    {"subject", "XSUBJECT", false},
    {"body", "", false},
    {"attachment", "XATTACH", false},  // attachment names
    {"attached", "XATEXT", false},     // the text inside PDF, DOCX, ODT and text attachments
    {"message-id", "XMID", true},
    {"id", "XMID", true},
    {"folder", "XFOLDER", true},
    {"account", "XACCOUNT", true},
    {"tag", "K", true},   // flags and keywords, lower case, without the backslash: seen, flagged, $label1
    {"flag", "K", true},
    {"list", "XLIST", true},  // List-Id, without the angle brackets
    {"has", "XHAS", true},    // has:attachment
}};

// Value slots.
inline constexpr unsigned kDateSlot = 0;  // Date: (else INTERNALDATE), seconds since 1970, sortable_serialise
inline constexpr unsigned kSizeSlot = 1;  // bytes, sortable_serialise

// Where an archive's index lives: DIR/index.
std::string index_path(const std::string& archive_dir);

// The index's "position" metadata (the last archive event it took in) as
// a number; nullopt when empty or not a non-negative decimal number.
std::optional<std::int64_t> position_of(std::string_view metadata);

// prefix + value as one term; a value too long for a term (Xapian takes
// 245 bytes; one corpus Message-ID has 327) is replaced by its SHA-256.
std::string term(std::string_view prefix, std::string_view value);

}  // namespace mf::search
