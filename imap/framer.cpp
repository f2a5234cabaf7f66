#include "imap/framer.h"

#include "imap/value.h"

#include <algorithm>
#include <charconv>

namespace mf::imap {
namespace {

struct LiteralMarker {
  std::uint64_t size;
  bool non_sync;
};

// A line announces a literal when it ends in "{N}" or "{N+}" (RFC 9051 §4.3,
// RFC 7888), optionally preceded by "~" for literal8 (RFC 3516). A literal is
// a value, so it follows a space or an opening parenthesis.
Result<std::optional<LiteralMarker>> find_marker(std::string_view line) {
  if (line.empty() || line.back() != '}') return std::optional<LiteralMarker>{};
  auto open = line.rfind('{');
  if (open == std::string_view::npos) return std::optional<LiteralMarker>{};
  std::size_t before = open > 0 && line[open - 1] == '~' ? open - 1 : open;
  if (before == 0 || (line[before - 1] != ' ' && line[before - 1] != '('))
    return std::optional<LiteralMarker>{};
  std::string_view inner = line.substr(open + 1, line.size() - open - 2);
  bool non_sync = !inner.empty() && inner.back() == '+';
  if (non_sync) inner.remove_suffix(1);
  if (inner.empty() || !std::all_of(inner.begin(), inner.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::optional<LiteralMarker>{};
  if (inner.size() > 19) return make_error(Errc::Limit, "literal size too large: {" + std::string(inner) + "}");
  std::uint64_t size = 0;
  std::from_chars(inner.data(), inner.data() + inner.size(), size);
  return std::optional<LiteralMarker>{LiteralMarker{size, non_sync}};
}

// Whether a response whose first line is line may carry literals: not a
// status response (tagged, or untagged OK/NO/BAD/BYE/PREAUTH), not a
// continuation request (RFC 9051 §7.1, §7.5), and not one of the untagged
// responses built of atoms and numbers only (§7.2.2, §7.3.1, §7.4.1).
bool response_may_carry_literals(std::string_view line) {
  auto next_word = [&](std::size_t& pos) {
    std::size_t end = std::min(line.find(' ', pos), line.size());
    std::string_view word = line.substr(pos, end - pos);
    pos = std::min(end + 1, line.size());
    return word;
  };
  if (line.empty() || line[0] == '+') return false;
  std::size_t pos = 0;
  if (next_word(pos) != "*") return false;  // a tagged response is a status response
  std::string_view word = next_word(pos);
  for (std::string_view none : {"OK", "NO", "BAD", "BYE", "PREAUTH", "CAPABILITY", "ENABLED", "FLAGS", "SEARCH"})
    if (iequals(word, none)) return false;
  if (!word.empty() && std::all_of(word.begin(), word.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    std::string_view kind = next_word(pos);
    return !iequals(kind, "EXISTS") && !iequals(kind, "RECENT") && !iequals(kind, "EXPUNGE");
  }
  return true;
}

}  // namespace

void Framer::feed(std::string_view bytes) {
  compact();
  buffer_.append(bytes);
}

void Framer::compact() {
  if (pos_ == 0) return;
  if (pos_ >= buffer_.size()) {
    buffer_.clear();
    scan_ = pos_ = 0;
    return;
  }
  if (pos_ > 65536 && pos_ * 2 > buffer_.size()) {
    buffer_.erase(0, pos_);
    scan_ -= pos_;
    pos_ = 0;
  }
}

std::optional<std::uint64_t> Framer::awaiting_sync_literal() const {
  // "{0}" too: the client waits for "+" before it sends the rest of the line.
  if (sync_pending_ && buffered() == 0) return literal_left_;
  return std::nullopt;
}

void Framer::take_literal() {
  std::size_t avail = buffer_.size() - pos_;
  std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(avail, literal_left_));
  if (n == 0) return;
  sync_pending_ = false;  // the client has started sending it
  FrameLiteral& lit = frame_.literals.back();
  std::string_view chunk(buffer_.data() + pos_, n);
  if (lit.streamed)
    options_.sink(frame_.literals.size() - 1, lit.size, chunk);
  else
    lit.data.append(chunk);
  pos_ += n;
  scan_ = pos_;
  literal_left_ -= n;
  if (literal_left_ == 0) in_literal_ = false;
}

Result<Framer::LineStep> Framer::take_line() {
  const auto& limits = options_.limits;
  std::size_t nl = buffer_.find('\n', std::max(scan_, pos_));
  if (nl == std::string::npos) {
    scan_ = buffer_.size();
    if (buffer_.size() - pos_ > limits.max_line)
      return make_error(Errc::Limit, "line longer than " + std::to_string(limits.max_line) + " bytes");
    return LineStep::NeedMore;
  }
  if (nl - pos_ > limits.max_line)
    return make_error(Errc::Limit, "line longer than " + std::to_string(limits.max_line) + " bytes");
  std::string_view line(buffer_.data() + pos_, nl - pos_);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  // Asked only of a response's first line that ends like a literal marker.
  bool text_only = options_.server_responses && frame_.text.empty() && !line.empty() && line.back() == '}' &&
                   !response_may_carry_literals(line);
  std::optional<LiteralMarker> marker;
  if (!text_only) {
    MF_TRY(found, find_marker(line));
    marker = found;
  }
  frame_.text.append(buffer_.data() + pos_, nl + 1 - pos_);
  pos_ = scan_ = nl + 1;
  sync_pending_ = false;
  if (!marker) return LineStep::Complete;
  std::optional<std::string> over;
  if (marker->size > limits.max_literal)
    over = "literal of " + std::to_string(marker->size) + " bytes exceeds the limit of " +
           std::to_string(limits.max_literal);
  else if (frame_.literals.size() >= limits.max_literals_per_frame)
    over = "more than " + std::to_string(limits.max_literals_per_frame) + " literals";
  if (over && options_.refuse_sync_literals && !marker->non_sync) {
    frame_.refused = Frame::Refusal{"TOOBIG", std::move(*over)};  // RFC 7889 §4 for APPEND
    return LineStep::Complete;
  }
  if (over) return make_error(Errc::Limit, *over);
  FrameLiteral lit;
  lit.size = marker->size;
  lit.streamed = options_.sink && marker->size >= options_.stream_threshold;
  if (!lit.streamed) lit.data.reserve(static_cast<std::size_t>(marker->size));
  frame_.literals.push_back(std::move(lit));
  in_literal_ = marker->size > 0;
  sync_pending_ = !marker->non_sync;
  if (sync_pending_) ++sync_literals_seen_;
  literal_left_ = marker->size;
  return LineStep::LiteralFollows;
}

std::uint64_t Framer::pending_literal_bytes() const {
  std::uint64_t total = 0;
  for (const auto& lit : frame_.literals) total += lit.size;
  return total;
}

void Framer::refuse_pending_literal(Frame::Refusal why) {
  if (!awaiting_sync_literal()) return;  // the client has started sending it: too late
  frame_.literals.pop_back();
  frame_.refused = std::move(why);
  in_literal_ = sync_pending_ = false;
  literal_left_ = 0;
  --sync_literals_seen_;  // no "+" is owed for it
  refused_ready_ = true;
}

Result<std::optional<Frame>> Framer::next() {
  if (refused_ready_) {
    refused_ready_ = false;
    Frame out = std::move(frame_);
    frame_ = Frame{};
    return std::optional<Frame>{std::move(out)};
  }
  for (;;) {
    if (in_literal_) {
      take_literal();
      if (in_literal_) return std::optional<Frame>{};
      continue;
    }
    MF_TRY(step, take_line());
    if (step == LineStep::NeedMore) return std::optional<Frame>{};
    if (step == LineStep::Complete) {
      Frame out = std::move(frame_);
      frame_ = Frame{};
      return std::optional<Frame>{std::move(out)};
    }
  }
}

}  // namespace mf::imap
