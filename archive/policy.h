// Retention policy (docs/archive.md): classes of retention periods in
// years, and rules that give a message held in a folder a class. A
// message is kept until the end of the calendar year of its date plus the
// longest period any of its placements earns; that date only ever rises.
#pragma once

#include "mime/headers.h"
#include "core/error.h"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace mf::archive {

struct PolicyRule {
  std::string class_name;
  // Conditions, all of which must hold (empty: not asked).
  std::string account;      // glob
  std::string folder;       // glob
  std::string from_domain;  // a From: address's domain, or a subdomain of it
  std::string to_domain;    // a To:/Cc: address's domain, or a subdomain of it
  std::string header;       // "Name: glob" on the field's value
};

// What a rule is matched against: one placement of one message.
struct PlacementFacts {
  const std::string& account;
  const std::string& folder;
  const mime::Headers& headers;
};

struct Retention {
  std::string class_name;
  std::int64_t until = 0;  // seconds since 1970 UTC: purge is refused before it
};

class Policy {
 public:
  // Six years for everything: the shortest German period (HGB §257, AO §147).
  static Policy standard();
  // From the JSON a user writes (docs/archive.md); errors name the field.
  [[nodiscard]] static Result<Policy> parse(std::string_view json_text);
  // The same JSON, compact (indent < 0) or indented.
  std::string json_text(int indent = -1) const;

  // The class the first matching rule gives ("default" when none does),
  // counted from `basis`: the later of the message's Date: and its
  // INTERNALDATE here (the caller's business, see retention_basis()).
  Retention retention(const PlacementFacts& facts, std::int64_t basis) const;
  // Why `next` may not replace this policy (a class shortened or removed), or empty.
  std::string shortens(const Policy& next) const;
  const std::map<std::string, int>& classes() const { return classes_; }

 private:
  std::map<std::string, int> classes_;  // name -> years
  std::vector<PolicyRule> rules_;
};

// The date a retention period counts from: the later of Date: and
// INTERNALDATE, so an early date never shortens it; `now` when neither is known.
std::int64_t retention_basis(std::int64_t date, std::int64_t internaldate, std::int64_t now);
// 1 January 00:00 UTC of the year `years` after the year of `epoch` ends.
std::int64_t end_of_year_plus(std::int64_t epoch, int years);

}  // namespace mf::archive
