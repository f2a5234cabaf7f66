// Builds client commands in wire format. Strings are written as atoms,
// quoted strings or literals, whichever is correct for their bytes
// (RFC 9051 §4.3); literals are synchronizing unless LITERAL+ (RFC 7888) is
// on, in which case the whole command can be sent in one write. Nothing a
// caller passes is written unchecked: an atom, flag or raw piece that its
// grammar does not allow (a CR LF from a hostile server, say) makes finish()
// refuse the whole command, so no command can smuggle in another.
#pragma once

#include "core/error.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mf::imap {

// One piece of a command on the wire. When sync_after is set, the sender
// must wait for the server's continuation request ("+") before the next piece.
struct WirePiece {
  std::string owned;
  std::string_view borrowed;  // used instead of owned when is_borrowed
  bool is_borrowed = false;
  bool sync_after = false;

  std::string_view bytes() const { return is_borrowed ? borrowed : std::string_view(owned); }
};

class CommandBuilder {
 public:
  // literal_plus: the server announced LITERAL+ (or LITERAL- and the literal is small).
  CommandBuilder(std::string_view tag, std::string_view name, bool literal_plus = false);

  CommandBuilder& atom(std::string_view atom);       // must be an atom
  CommandBuilder& astring(std::string_view text);    // atom, quoted or literal
  CommandBuilder& string(std::string_view text);     // quoted or literal, never an atom
  CommandBuilder& literal(std::string_view bytes);   // borrowed: must outlive the pieces
  CommandBuilder& flag_list(const std::vector<std::string>& flags);  // "(\\Seen $Label1)", each a flag
  // Syntax of the caller's own (sequence sets, item lists), preceded by a
  // space: printable US-ASCII only.
  CommandBuilder& raw(std::string_view text);

  const std::string& tag() const { return tag_; }
  // Ends the command with CRLF and returns its pieces; Errc::Perm naming the
  // first piece that cannot be sent as asked, and nothing to send.
  [[nodiscard]] Result<std::vector<WirePiece>> finish();

 private:
  void space();
  void append(std::string_view text);
  void refuse(std::string what, std::string_view text);

  std::string tag_;
  std::vector<WirePiece> pieces_;
  bool literal_plus_;
  std::optional<std::string> refused_;
};

// Whether text can be sent as an atom (RFC 9051 ATOM-CHAR, non-empty).
bool is_atom_text(std::string_view text);
// Whether text is a flag (RFC 9051 §9 flag, flag-fetch): "\\" atom, or a keyword atom.
bool is_flag_text(std::string_view text);
// text for an error message or a report: control and 8-bit bytes as \\xNN,
// cut short after 80 bytes.
std::string shown(std::string_view text);
// Whether text is printable US-ASCII (raw command syntax).
bool is_printable_ascii(std::string_view text);
// Whether text can be sent as a quoted string (7-bit, no CR/LF/NUL).
bool is_quotable(std::string_view text);
// "\"...\"" with '"' and '\' escaped.
std::string quote(std::string_view text);

}  // namespace mf::imap
