// Splits a byte stream into IMAP frames: one complete response (or command),
// i.e. a line plus every literal it announces and the lines that follow them.
// No I/O: the caller feeds bytes and asks for the next frame; "need more" is
// an empty optional. Works for server responses and client commands; reading
// responses, it knows which responses the grammar lets carry a literal.
#pragma once

#include "core/error.h"
#include "imap/limits.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mf::imap {

struct FrameLiteral {
  std::uint64_t size = 0;
  std::string data;       // empty when streamed to a sink
  bool streamed = false;
};

struct Frame {
  // The frame's text with each literal's "{N}\r\n" marker kept and the
  // literal's bytes removed (they are in literals, in order).
  std::string text;
  std::vector<FrameLiteral> literals;
  // Reading commands: why the frame's last synchronizing literal is not
  // taken (Options::refuse_sync_literals, or refuse_pending_literal); the
  // frame ends at its marker. code: the response code to answer with.
  struct Refusal {
    std::string code, text;
  };
  std::optional<Refusal> refused;
};

// Receives literals at least Framer::Options::stream_threshold long, chunk by
// chunk, instead of buffering them: (literal index in frame, total size, chunk).
using LiteralSink = std::function<void(std::size_t, std::uint64_t, std::string_view)>;

class Framer {
 public:
  struct Options {
    Limits limits;
    std::uint64_t stream_threshold = UINT64_MAX;  // never stream by default
    LiteralSink sink;
    // Reading server responses: a status response, a continuation request
    // and the responses made of atoms and numbers end where their line ends,
    // whatever the line's last characters (RFC 9051 §7.1: resp-text holds no
    // literal). A "{N}" there is text; taken as a literal, it would swallow
    // the start of the next response.
    bool server_responses = false;
    // Reading commands (a server): a synchronizing literal over the limits
    // ends its frame as refused instead of failing the stream. The client
    // sends none of its bytes before "+" (RFC 9051 §7.5: "this permits the
    // server to ... reject errors on a line-by-line basis"), so the server
    // answers NO and reads the next command. A non-synchronizing one
    // (RFC 7888) is on its way already: still an error.
    bool refuse_sync_literals = false;
  };

  Framer() = default;
  explicit Framer(Options options) : options_(std::move(options)) {}

  void feed(std::string_view bytes);
  // New limits from the next frame on; what is buffered stays (pipelined commands).
  void set_limits(const Limits& limits) { options_.limits = limits; }

  // The next complete frame, nothing yet (need more bytes), or an error
  // (a limit exceeded or a malformed literal marker). After an error the
  // stream cannot be resynchronised: close the connection. A refused
  // literal is no error (Frame::refused).
  [[nodiscard]] Result<std::optional<Frame>> next();

  // Set while the frame being read waits for a synchronizing literal
  // ("{N}" without "+", "{0}" too) and none of its bytes has arrived: a
  // server must send a continuation request.
  std::optional<std::uint64_t> awaiting_sync_literal() const;
  // How many synchronizing literal markers have been read: a server sends
  // one continuation request per marker, whatever arrives in one read.
  std::uint64_t sync_literals_seen() const { return sync_literals_seen_; }
  // The decision point for a synchronizing literal the client waits on
  // (awaiting_sync_literal()): what the frame holds so far, the sizes of its
  // literals (the pending one included), and refusing it instead of sending
  // "+" (APPEND over the quota): next() then returns the frame as refused.
  std::string_view pending_text() const { return frame_.text; }
  std::uint64_t pending_literal_bytes() const;
  void refuse_pending_literal(Frame::Refusal why);

  // Bytes fed but not consumed yet.
  std::size_t buffered() const { return buffer_.size() - pos_; }

 private:
  enum class LineStep { Complete, LiteralFollows, NeedMore };
  Result<LineStep> take_line();
  void take_literal();
  void compact();

  Options options_;
  std::string buffer_;
  std::size_t pos_ = 0;
  std::size_t scan_ = 0;  // where the search for '\n' resumes
  Frame frame_;
  bool in_literal_ = false;
  bool refused_ready_ = false;  // refuse_pending_literal: next() returns frame_ at once
  bool sync_pending_ = false;
  std::uint64_t sync_literals_seen_ = 0;
  std::uint64_t literal_left_ = 0;
};

}  // namespace mf::imap
