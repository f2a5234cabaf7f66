// The header section of a message, as much as the archive needs of it:
// unfolded field values by name, addresses' domains, and whether the
// section is well-formed at all. Pure functions, no MIME decoding.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mf::archive {

class Headers {
 public:
  // Reads the header section of `raw` (up to the first empty line).
  explicit Headers(std::string_view raw);

  // The first field called `name` (any case), unfolded; empty when absent.
  std::string value(std::string_view name) const;
  // Every field called `name`, unfolded, in order.
  std::vector<std::string> values(std::string_view name) const;
  // The domains of the addresses in the fields called `name`, lower case:
  // "Alice <alice@Example.ORG>, bob@b.example" -> {"example.org", "b.example"}.
  std::vector<std::string> domains(std::string_view name) const;
  // A header section of "Name: value" lines ended by an empty line (RFC 5322 §2.1).
  bool well_formed() const { return well_formed_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
  bool well_formed_ = false;
};

// Where the header section ends: just after the empty line that ends it
// (raw.size() when there is none, so the whole message is header).
std::size_t header_section_end(std::string_view raw);

// Lower-case ASCII.
std::string lower(std::string_view text);
// Shell-style glob (`*`, `?`), case-insensitive: "Buchhaltung/*" matches "buchhaltung/2024".
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace mf::archive
