// The generic IMAP value tree and the cursor that reads it from a Frame.
// Atoms, strings (quoted or literal), NIL and parenthesised lists; an atom
// may carry a bracketed section ("BODY[HEADER.FIELDS (TO)]<0>").
#pragma once

#include "core/error.h"
#include "imap/framer.h"
#include "imap/limits.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mf::imap {

struct Value {
  enum class Kind { Atom, String, Nil, List };
  Kind kind = Kind::Nil;
  std::string text;          // Atom: the atom; String: its bytes
  std::vector<Value> items;  // List: the elements
  bool literal = false;      // the String came as a literal
  bool streamed = false;     // ...and went to a LiteralSink: text is empty
  std::uint64_t size = 0;    // String: its length (also when streamed)

  bool is_atom() const { return kind == Kind::Atom; }
  bool is_string() const { return kind == Kind::String; }
  bool is_nil() const { return kind == Kind::Nil; }
  bool is_list() const { return kind == Kind::List; }
  // Atom or string (RFC 9051 astring).
  bool is_astring() const { return is_atom() || is_string(); }
  std::optional<std::uint64_t> number() const;
  // Case-insensitive comparison for atoms.
  bool is_atom(std::string_view name) const;
  // Text for logs and error messages (not wire format).
  std::string display() const;
};

bool iequals(std::string_view a, std::string_view b);
std::string to_upper(std::string_view s);

// Reads values from a frame's text, taking literals from the frame in order.
// Moves literal bytes out of the frame (no copy).
class Cursor {
 public:
  Cursor(Frame& frame, const Limits& limits = {});

  bool at_end() const;  // only the line end (or nothing) is left
  bool peek(char c) const;
  bool consume(char c);
  [[nodiscard]] Result<void> expect(char c);
  [[nodiscard]] Result<void> expect_end();
  [[nodiscard]] Result<std::string> atom();
  [[nodiscard]] Result<std::string> tag();  // a command's tag (imap/grammar.h)
  [[nodiscard]] Result<std::uint64_t> number();
  [[nodiscard]] Result<Value> value();
  [[nodiscard]] Result<std::vector<Value>> values_to_end();
  // The rest of the line without its line end, as text (resp-text).
  std::string rest_of_line();
  // Error naming what was expected and where in the line.
  Error error(std::string_view expected) const;

 private:
  Result<Value> value_at_depth(int depth);
  Result<Value> quoted();
  Result<Value> literal();

  Frame& frame_;
  Limits limits_;
  std::size_t pos_ = 0;
  std::size_t next_literal_ = 0;
};

}  // namespace mf::imap
