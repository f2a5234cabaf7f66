#include "mime/structure.h"

#include "mime/headers.h"

#include <algorithm>
#include <cctype>

namespace mf::mime {
namespace {

constexpr int kMaxDepth = 50;  // deeper nesting is read as one leaf part

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

void skip_space_and_comments(std::string_view text, std::size_t& pos) {
  while (pos < text.size()) {
    char c = text[pos];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++pos;
    } else if (c == '(') {  // RFC 5322 §3.2.2 comment, nested
      int depth = 0;
      while (pos < text.size()) {
        if (text[pos] == '\\') ++pos;
        else if (text[pos] == '(') ++depth;
        else if (text[pos] == ')' && --depth == 0) break;
        ++pos;
      }
      ++pos;
    } else {
      break;
    }
  }
}

// An RFC 2045 token, or a quoted string unquoted.
std::string word(std::string_view text, std::size_t& pos, std::string_view stops) {
  skip_space_and_comments(text, pos);
  std::string out;
  if (pos < text.size() && text[pos] == '"') {
    ++pos;
    while (pos < text.size() && text[pos] != '"') {
      if (text[pos] == '\\' && pos + 1 < text.size()) ++pos;
      if (text[pos] != '\r' && text[pos] != '\n') out += text[pos];
      ++pos;
    }
    ++pos;
    return out;
  }
  while (pos < text.size() && stops.find(text[pos]) == std::string_view::npos && text[pos] != ' ' &&
         text[pos] != '\t' && text[pos] != '(' && text[pos] != '\r' && text[pos] != '\n')
    out += text[pos++];
  return out;
}

std::string trimmed(std::string_view v) {
  std::size_t b = 0, e = v.size();
  while (b < e && std::isspace(static_cast<unsigned char>(v[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(v[e - 1]))) --e;
  return std::string(v.substr(b, e - b));
}

std::size_t count_lines(std::string_view bytes) { return static_cast<std::size_t>(std::count(bytes.begin(), bytes.end(), '\n')); }

// Where the line holding pos begins... and the next "--boundary" line at or after from.
// Returns the offset of the "--" (at a line start) or npos.
std::size_t find_delimiter(std::string_view m, std::size_t from, std::size_t end, const std::string& boundary) {
  std::string dash = "--" + boundary;
  std::size_t pos = from;
  while (pos < end) {
    std::size_t hit = m.find(dash, pos);
    if (hit == std::string_view::npos || hit + dash.size() > end) return std::string_view::npos;
    if (hit == from || m[hit - 1] == '\n') return hit;
    pos = hit + 1;
  }
  return std::string_view::npos;
}

// The end of the content before a delimiter at `delimiter`: its preceding line end belongs to it (RFC 2046 §5.1.1).
std::size_t content_end(std::string_view m, std::size_t start, std::size_t delimiter) {
  std::size_t e = delimiter;
  if (e > start && m[e - 1] == '\n') --e;
  if (e > start && m[e - 1] == '\r') --e;
  return e;
}

std::size_t next_line(std::string_view m, std::size_t pos, std::size_t end) {
  std::size_t nl = m.find('\n', pos);
  return nl == std::string_view::npos || nl >= end ? end : nl + 1;
}

void read_part(std::string_view m, Part& part, bool digest_parent, int depth);

void read_fields(std::string_view m, Part& part, bool digest_parent) {
  Headers headers(m.substr(part.header_begin, part.body_begin - part.header_begin));
  auto& f = part.fields;
  if (digest_parent) f.type = "message", f.subtype = "rfc822";  // RFC 2046 §5.1.5
  std::string type = headers.value("Content-Type");
  if (!type.empty()) {
    std::size_t pos = 0;
    std::string t = word(type, pos, "/;");
    if (pos < type.size() && type[pos] == '/') {
      ++pos;
      std::string sub = word(type, pos, ";");
      if (!t.empty() && !sub.empty()) {
        f.type = t, f.subtype = sub;
        f.has_content_type = true;
        f.parameters = parse_parameters(std::string_view(type).substr(pos));
      }
    }
  }
  if (!f.has_content_type && iequal(f.type, "text")) f.parameters = {{"charset", "us-ascii"}};
  f.id = trimmed(headers.value("Content-ID"));
  f.description = trimmed(headers.value("Content-Description"));
  f.encoding = trimmed(headers.value("Content-Transfer-Encoding"));
  f.md5 = trimmed(headers.value("Content-MD5"));
  f.language = trimmed(headers.value("Content-Language"));
  f.location = trimmed(headers.value("Content-Location"));
  std::string disposition = headers.value("Content-Disposition");
  if (!disposition.empty()) {
    std::size_t pos = 0;
    f.disposition = word(disposition, pos, ";");
    f.disposition_parameters = parse_parameters(std::string_view(disposition).substr(pos));
  }
}

void read_part(std::string_view m, Part& part, bool digest_parent, int depth) {
  part.body_begin = part.header_begin + header_section_end(m.substr(part.header_begin, part.end - part.header_begin));
  read_fields(m, part, digest_parent);
  part.body_lines = count_lines(m.substr(part.body_begin, part.body_size()));
  if (depth >= kMaxDepth) return;
  const auto& f = part.fields;
  if (iequal(f.type, "message") && iequal(f.subtype, "rfc822")) {
    part.message = std::make_unique<Part>();
    part.message->header_begin = part.body_begin;
    part.message->end = part.end;
    read_part(m, *part.message, false, depth + 1);
    return;
  }
  if (!part.is_multipart()) return;
  std::string boundary;
  for (const auto& [name, value] : f.parameters)
    if (iequal(name, "boundary")) boundary = value;
  if (boundary.empty()) return;
  bool digest = iequal(f.subtype, "digest");
  std::size_t delimiter = find_delimiter(m, part.body_begin, part.end, boundary);
  while (delimiter != std::string_view::npos) {
    std::size_t after = delimiter + 2 + boundary.size();
    if (m.compare(after, 2, "--") == 0 && after + 2 <= part.end) break;  // the close delimiter
    std::size_t start = next_line(m, after, part.end);
    std::size_t next = find_delimiter(m, start, part.end, boundary);
    Part child;
    child.header_begin = start;
    child.end = next == std::string_view::npos ? part.end : content_end(m, start, next);
    read_part(m, child, digest, depth + 1);
    part.children.push_back(std::move(child));
    delimiter = next;
  }
}

}  // namespace

bool Part::is_multipart() const { return iequal(fields.type, "multipart"); }

Parameters parse_parameters(std::string_view text) {
  Parameters out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    skip_space_and_comments(text, pos);
    if (pos >= text.size() || text[pos] != ';') break;
    ++pos;
    std::string name = word(text, pos, "=;");
    skip_space_and_comments(text, pos);
    if (name.empty() || pos >= text.size() || text[pos] != '=') continue;
    ++pos;
    out.emplace_back(std::move(name), word(text, pos, ";"));
  }
  return out;
}

Part parse_structure(std::string_view message) {
  Part root;
  root.end = message.size();
  read_part(message, root, false, 0);
  return root;
}

const Part* find_part(const Part& root, const std::vector<unsigned>& numbers) {
  // RFC 3501 §6.4.5: numbers index a message's body: its parts when it is
  // multipart, else the body itself as part 1; past a message/rfc822 part
  // they index the message it holds.
  const Part* container = &root;
  for (std::size_t i = 0; i < numbers.size(); ++i) {
    unsigned n = numbers[i];
    const Part* chosen = nullptr;
    if (container->is_multipart()) {
      if (n == 0 || n > container->children.size()) return nullptr;
      chosen = &container->children[n - 1];
    } else {
      if (n != 1) return nullptr;
      chosen = container;
    }
    if (i + 1 == numbers.size()) return chosen;
    if (chosen->is_message()) container = chosen->message.get();
    else if (chosen->is_multipart() && chosen != container) container = chosen;
    else return nullptr;  // a leaf has no parts inside
  }
  return container;
}

}  // namespace mf::mime
