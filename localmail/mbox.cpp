// mbox: messages one after the other, each starting with a "From " line
// (RFC 4155). Lines of the body that begin with ">From " (after any
// number of '>') lost one '>' when written (mboxrd), and get it back here.
// A directory holds one mbox file per folder; Thunderbird's "Name.sbd"
// directories hold the subfolders of "Name", and a plain subdirectory is a
// level of its own (mutt's and pine's ~/Mail/lists/debian).
#include "localmail/mboxrd.h"
#include "localmail/stores.h"

#include "core/sha256.h"

#include <algorithm>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <strings.h>
#include <map>
#include <sys/stat.h>

namespace mf::localmail {
namespace {

namespace fs = std::filesystem;

// "From sender Sat Aug 31 12:00:00 2002" (asctime, UTC); 0 if unreadable.
std::int64_t from_line_date(std::string_view line) {
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int m = 0; m < 12; ++m) {
    std::string needle = std::string(" ") + kMonths[m] + " ";
    auto at = line.find(needle);
    if (at == std::string_view::npos) continue;
    std::tm tm{};
    int day = 0, hour = 0, minute = 0, second = 0, year = 0;
    std::string rest(line.substr(at + needle.size()));
    if (std::sscanf(rest.c_str(), "%d %d:%d:%d %d", &day, &hour, &minute, &second, &year) != 5) return 0;
    tm.tm_year = year - 1900;
    tm.tm_mon = m;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    return static_cast<std::int64_t>(::timegm(&tm));
  }
  return 0;
}

// Status: R (read) and X-Status: A F T D, as mutt, Pine and Dovecot write them.
std::vector<std::string> status_flags(std::string_view message) {
  std::vector<std::string> flags;
  std::size_t pos = 0;
  while (pos < message.size()) {
    auto end = message.find('\n', pos);
    std::string_view line = message.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? message.size() : end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // end of the header
    auto value = [&](std::string_view name) -> std::optional<std::string_view> {
      if (line.size() <= name.size() || strncasecmp(line.data(), name.data(), name.size()) != 0) return std::nullopt;
      return line.substr(name.size());
    };
    if (auto v = value("Status:"); v && v->find('R') != std::string_view::npos) flags.push_back("\\Seen");
    if (auto v = value("X-Status:")) {
      if (v->find('A') != std::string_view::npos) flags.push_back("\\Answered");
      if (v->find('F') != std::string_view::npos) flags.push_back("\\Flagged");
      if (v->find('T') != std::string_view::npos) flags.push_back("\\Draft");
      if (v->find('D') != std::string_view::npos) flags.push_back("\\Deleted");
    }
  }
  return flags;
}

bool is_from_line(std::string_view text, std::size_t pos) {
  return text.compare(pos, 5, "From ") == 0 && (pos == 0 || text[pos - 1] == '\n');
}

bool is_index_file(const std::string& leaf) {  // Thunderbird's
  return leaf.size() > 4 && (leaf.ends_with(".msf") || leaf.ends_with(".dat"));
}

// The messages in an mbox file: its From_ lines, read in pieces (an mbox may
// be larger than memory should hold).
Result<std::uint64_t> from_lines_in(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::Io, "cannot open", path.string());
  std::uint64_t n = 0;
  std::string carry = "\n";  // the file's start counts as a line start
  std::vector<char> chunk(1 << 20);
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    std::string text = carry + std::string(chunk.data(), static_cast<std::size_t>(in.gcount()));
    for (auto pos = text.find("\nFrom "); pos != std::string::npos; pos = text.find("\nFrom ", pos + 1)) ++n;
    // Shorter than "\nFrom ": a match starting here ends in the next piece, never counted twice.
    carry = text.substr(text.size() - std::min<std::size_t>(text.size(), 5));
  }
  if (in.bad()) return make_error(Errc::Io, "cannot read", path.string());
  return n;
}

class MboxStore final : public Store {
 public:
  explicit MboxStore(fs::path root) : root_(std::move(root)) {}

  std::string name() const override { return "mbox:" + root_.string(); }

  Result<std::uint64_t> messages_on_disk() override {
    std::error_code ec;
    if (!fs::is_directory(root_, ec)) return from_lines_in(root_);
    std::uint64_t n = 0;
    for (auto it = fs::recursive_directory_iterator(root_, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      std::string leaf = it->path().filename().string();
      if (leaf.empty() || leaf[0] == '.' || !it->is_regular_file(ec) || is_index_file(leaf)) continue;
      MF_TRY(in_file, from_lines_in(it->path()));
      n += in_file;
    }
    if (ec) return make_error(Errc::Io, "cannot read the directory tree: " + ec.message(), root_.string());
    return n;
  }

  Result<std::vector<StoredFolder>> folders() override {
    std::error_code ec;
    if (!fs::is_directory(root_, ec)) {  // one file: INBOX
      if (!fs::exists(root_, ec)) return make_error(Errc::NotFound, "no such mbox file or directory", root_.string());
      files_[{"INBOX"}] = root_;
      return std::vector<StoredFolder>{StoredFolder{{"INBOX"}}};
    }
    std::vector<StoredFolder> out;
    add_directory(root_, {}, out);
    return out;
  }

  Result<std::vector<StoredMessage>> messages(const StoredFolder& folder) override {
    auto it = files_.find(folder.levels);
    if (it == files_.end()) return make_error(Errc::NotFound, "no such mbox folder", name());
    MF_TRY(text, read_whole(it->second));
    std::vector<StoredMessage> out;
    std::map<std::string, int> seen;  // hash -> copies so far: identical messages get distinct keys
    std::size_t pos = 0;
    if (!text.empty() && !is_from_line(text, 0))
      return make_error(Errc::Corrupt, "not an mbox file: it does not start with a \"From \" line", it->second.string());
    while (pos < text.size()) {
      auto line_end = text.find('\n', pos);
      if (line_end == std::string::npos) break;  // a From_ line and nothing else
      std::string_view from_line(text.data() + pos, line_end - pos);
      std::size_t start = line_end + 1, next = start;
      while (next < text.size() && !is_from_line(text, next)) {
        auto nl = text.find('\n', next);
        next = nl == std::string::npos ? text.size() : nl + 1;
      }
      // The blank line before the next From_ line belongs to the mbox, not the message.
      std::size_t end = next;
      if (end > start && text[end - 1] == '\n') {
        std::size_t before = end - 1;
        if (before > start && text[before - 1] == '\r') --before;
        if (before > start && text[before - 1] == '\n') end = before;
      }
      std::string_view raw(text.data() + start, end - start);
      StoredMessage m;
      auto hash = to_hex(sha256(raw));
      m.key = hash + "-" + std::to_string(seen[hash]++);
      m.path = it->second.string();
      m.offset = start;
      m.length = raw.size();
      m.size = raw.size();  // before unescaping: close enough for batching and --max-size
      m.flags = status_flags(raw);
      m.date = from_line_date(from_line);
      if (m.date == 0) m.date = mtime_;
      out.push_back(std::move(m));
      pos = next;
    }
    return out;
  }

  Result<std::string> read(const StoredMessage& message) override {
    std::ifstream in(message.path, std::ios::binary);
    std::string raw(message.length, '\0');
    in.seekg(static_cast<std::streamoff>(message.offset));
    if (!in.read(raw.data(), static_cast<std::streamsize>(raw.size())))
      return make_error(Errc::Io, "cannot read the message (was the mbox rewritten?)",
                        message.path + " at byte " + std::to_string(message.offset));
    if (to_hex(sha256(raw)) != message.key.substr(0, message.key.find('-')))
      return make_error(Errc::Corrupt, "the mbox changed while it was read", message.path);
    return mboxrd_unescape(raw);
  }

 private:
  Result<std::string> read_whole(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(Errc::Io, "cannot open", path.string());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    struct stat st{};
    mtime_ = ::stat(path.c_str(), &st) == 0 ? st.st_mtime : 0;
    return text;
  }

  void add_directory(const fs::path& dir, const std::vector<std::string>& parent, std::vector<StoredFolder>& out) {
    std::error_code ec;
    std::vector<fs::path> entries;
    for (const auto& e : fs::directory_iterator(dir, ec)) entries.push_back(e.path());
    std::sort(entries.begin(), entries.end());
    for (const auto& path : entries) {
      std::string leaf = path.filename().string();
      if (leaf.empty() || leaf[0] == '.') continue;
      if (fs::is_directory(path, ec) && !leaf.ends_with(".sbd")) {
        // A plain directory of mbox files (mutt's and pine's ~/Mail/lists/...): a level.
        auto levels = parent;
        levels.push_back(leaf);
        add_directory(path, levels, out);
        continue;
      }
      if (!fs::is_regular_file(path, ec)) continue;
      if (is_index_file(leaf)) continue;
      std::string name = leaf.ends_with(".mbox") ? leaf.substr(0, leaf.size() - 5) : leaf;
      auto levels = parent;
      levels.push_back(parent.empty() && (name == "INBOX" || name == "Inbox" || name == "inbox") ? "INBOX" : name);
      files_[levels] = path;
      out.push_back(StoredFolder{levels});
      fs::path children = path.string() + ".sbd";
      if (fs::is_directory(children, ec)) add_directory(children, levels, out);
    }
  }

  fs::path root_;
  std::map<std::vector<std::string>, fs::path> files_;
  std::int64_t mtime_ = 0;
};

}  // namespace

std::unique_ptr<Store> make_mbox_store(const std::string& path) { return std::make_unique<MboxStore>(path); }

}  // namespace mf::localmail
