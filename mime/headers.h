// The header section of a message: unfolded field values by name, exactly as
// written (the archive keeps and matches raw bytes), the addresses of address
// fields (read by GMime, RFC 5322 §3.4, names decoded per RFC 2047), their
// domains, and whether the section is well-formed at all.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mf::mime {

struct Address {
  std::string name;     // display name, decoded to UTF-8; may be empty
  std::string address;  // local@domain as written
};

class Headers {
 public:
  // Reads the header section of `raw` (up to the first empty line).
  explicit Headers(std::string_view raw);

  // The first field called `name` (any case), unfolded; empty when absent.
  std::string value(std::string_view name) const;
  // Every field called `name`, unfolded, in order.
  std::vector<std::string> values(std::string_view name) const;
  // The mailboxes in every field called `name`, group members included:
  // "Alice <alice@example.org>, team: bob@b.example;" -> alice@..., bob@....
  std::vector<Address> addresses(std::string_view name) const;
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

// A field's unstructured text with its RFC 2047 encoded words decoded to
// UTF-8 ("=?ISO-8859-1?Q?Rechnung_f=FCr?=" -> "Rechnung für"); text with
// none is returned as it is.
std::string decoded_text(std::string_view value);

// Lower-case ASCII (header names, domains).
std::string lower(std::string_view text);

}  // namespace mf::mime
