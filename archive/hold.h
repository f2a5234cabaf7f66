// Legal hold criteria: which messages a case keeps from purge. Terms
// "field:value", all of which must match; account: and folder: must match
// the same placement. Header fields match a case-insensitive substring:
//   account:alice@example.org  folder:Projects/*  from:ceo@example.org
//   to:example.net  subject:"Merger plan"  message-id:<123@mail>
#pragma once

#include "mime/headers.h"
#include "core/error.h"

#include <string>
#include <vector>

namespace mf::archive {

class HoldQuery {
 public:
  [[nodiscard]] static Result<HoldQuery> parse(std::string_view text);
  // Whether any placement (account, folder) together with the headers matches.
  bool matches(const std::vector<std::pair<std::string, std::string>>& placements, const mime::Headers& headers) const;
  // Whether matching needs the message's headers (not only its placements).
  bool needs_headers() const;

 private:
  std::vector<std::pair<std::string, std::string>> terms_;  // field (lower case), value
};

}  // namespace mf::archive
