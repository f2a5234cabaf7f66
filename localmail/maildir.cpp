// Maildir (https://cr.yp.to/proto/maildir.html) and Maildir++: the root's
// cur/ and new/ are INBOX; ".A.B" directories at the root (Maildir++) or
// nested directories holding cur/ (plain trees) are folders.
#include "localmail/stores.h"

#include "core/atomic_file.h"
#include "imap/mutf7.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sys/stat.h>

namespace mf::localmail {
namespace {

namespace fs = std::filesystem;

bool is_maildir(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir / "cur", ec) || fs::is_directory(dir / "new", ec);
}

bool is_message_file(const fs::directory_entry& entry) {
  std::error_code ec;
  std::string file = entry.path().filename().string();
  return entry.is_regular_file(ec) && !file.empty() && file[0] != '.';
}

// Message files in a Maildir's cur/ and new/.
std::size_t message_files_in(const fs::path& dir) {
  std::size_t n = 0;
  std::error_code ec;
  for (const char* sub : {"cur", "new"})
    for (const auto& entry : fs::directory_iterator(dir / sub, ec))
      if (is_message_file(entry)) ++n;
  return n;
}

// Every Maildir in the tree below root (root itself included) that holds message files.
void maildirs_with_mail(const fs::path& dir, std::vector<std::pair<fs::path, std::size_t>>& out) {
  if (std::size_t n = is_maildir(dir) ? message_files_in(dir) : 0; n > 0) out.emplace_back(dir, n);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string leaf = entry.path().filename().string();
    if (entry.is_directory(ec) && !entry.is_symlink(ec) && leaf != "cur" && leaf != "new" && leaf != "tmp")
      maildirs_with_mail(entry.path(), out);
  }
}

// Dovecot writes non-ASCII folder names in modified UTF-7 on disk.
std::string decode_name(const std::string& name) {
  if (name.find('&') == std::string::npos) return name;
  auto decoded = imap::mutf7_decode(name);
  return decoded ? *decoded : name;
}

// Dovecot's dovecot-keywords: "0 Work\n1 $Label1\n" for flag letters a, b, ...
std::map<char, std::string> keywords_of(const fs::path& dir) {
  std::map<char, std::string> out;
  auto text = read_file((dir / "dovecot-keywords").string());
  if (!text) return out;
  std::size_t pos = 0;
  while (pos < text->size()) {
    auto end = text->find('\n', pos);
    std::string line = text->substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    pos = end == std::string::npos ? text->size() : end + 1;
    auto space = line.find(' ');
    if (space == std::string::npos) continue;
    int index = std::atoi(line.substr(0, space).c_str());
    if (index >= 0 && index < 26) out[static_cast<char>('a' + index)] = line.substr(space + 1);
  }
  return out;
}

// Flags from the info part of a file name: "unique:2,FRS".
std::vector<std::string> flags_of(const std::string& file, const std::map<char, std::string>& keywords) {
  std::vector<std::string> flags;
  auto info = file.find(":2,");
  if (info == std::string::npos) return flags;
  for (char c : file.substr(info + 3)) {
    switch (c) {
      case 'D': flags.push_back("\\Draft"); break;
      case 'F': flags.push_back("\\Flagged"); break;
      case 'P': flags.push_back("$Forwarded"); break;
      case 'R': flags.push_back("\\Answered"); break;
      case 'S': flags.push_back("\\Seen"); break;
      case 'T': flags.push_back("\\Deleted"); break;
      default:
        if (auto it = keywords.find(c); it != keywords.end()) flags.push_back(it->second);
    }
  }
  return flags;
}

class MaildirStore final : public Store {
 public:
  explicit MaildirStore(fs::path root) : root_(std::move(root)) {}

  std::string name() const override { return "maildir:" + root_.string(); }

  Result<std::uint64_t> messages_on_disk() override {
    std::vector<std::pair<fs::path, std::size_t>> with_mail;
    maildirs_with_mail(root_, with_mail);
    std::uint64_t n = 0;
    for (const auto& [dir, files] : with_mail) n += files;
    return n;
  }

  Result<std::vector<StoredFolder>> folders() override {
    std::vector<StoredFolder> out;
    if (is_maildir(root_)) out.push_back(StoredFolder{{"INBOX"}});
    if (is_maildir(root_) && is_maildir(root_ / "INBOX"))
      return make_error(Errc::Perm, "both the root and INBOX/ are Maildirs: which one is INBOX is not clear",
                        root_.string());
    std::error_code ec;
    std::vector<fs::path> children;
    for (const auto& entry : fs::directory_iterator(root_, ec))
      if (entry.is_directory(ec)) children.push_back(entry.path());
    if (ec) return make_error(Errc::Io, "cannot read the directory: " + ec.message(), root_.string());
    std::sort(children.begin(), children.end());
    for (const auto& child : children) {
      std::string leaf = child.filename().string();
      if (leaf == "cur" || leaf == "new" || leaf == "tmp") continue;
      if (leaf.size() > 1 && leaf[0] == '.') {  // Maildir++: ".A.B" is A/B
        if (!is_maildir(child)) continue;
        StoredFolder f;
        std::size_t start = 1;
        for (;;) {
          auto dot = leaf.find('.', start);
          f.levels.push_back(decode_name(leaf.substr(start, dot == std::string::npos ? std::string::npos : dot - start)));
          if (dot == std::string::npos) break;
          start = dot + 1;
        }
        out.push_back(std::move(f));
      } else {
        add_nested(child, {decode_name(leaf)}, out);
      }
    }
    MF_CHECK(every_file_has_a_folder(out));
    return out;
  }

  Result<std::vector<StoredMessage>> messages(const StoredFolder& folder) override {
    fs::path dir = folder_dir(folder);
    auto keywords = keywords_of(dir);
    std::vector<StoredMessage> out;
    for (const char* sub : {"cur", "new"}) {
      std::error_code ec;
      if (!fs::is_directory(dir / sub, ec)) continue;
      for (const auto& entry : fs::directory_iterator(dir / sub, ec)) {
        if (!is_message_file(entry)) continue;
        std::string file = entry.path().filename().string();
        struct stat st{};
        if (::stat(entry.path().c_str(), &st) != 0) continue;  // moved away meanwhile
        StoredMessage m;
        m.key = file.substr(0, file.find(':'));
        m.size = static_cast<std::uint64_t>(st.st_size);
        m.flags = flags_of(file, keywords);
        m.date = st.st_mtime;
        m.path = entry.path().string();
        m.length = m.size;
        out.push_back(std::move(m));
      }
      if (ec) return make_error(Errc::Io, "cannot read the directory: " + ec.message(), (dir / sub).string());
    }
    // Unique names begin with the delivery time: sorting keeps arrival order.
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
    return out;
  }

  Result<std::string> read(const StoredMessage& message) override {
    auto text = read_file(message.path);
    if (text) return text;
    // A client may have renamed it (new flags) or moved it from new/ to cur/ meanwhile.
    fs::path dir = fs::path(message.path).parent_path().parent_path();
    std::error_code ec;
    for (const char* sub : {"cur", "new"})
      for (const auto& entry : fs::directory_iterator(dir / sub, ec))
        if (entry.path().filename().string().rfind(message.key, 0) == 0) return read_file(entry.path().string());
    return with_context(text.error(), "message " + message.key);
  }

 private:
  void add_nested(const fs::path& dir, std::vector<std::string> levels, std::vector<StoredFolder>& out) {
    if (is_maildir(dir)) out.push_back(StoredFolder{levels});
    std::error_code ec;
    std::vector<fs::path> children;
    for (const auto& entry : fs::directory_iterator(dir, ec))
      if (entry.is_directory(ec)) children.push_back(entry.path());
    std::sort(children.begin(), children.end());
    for (const auto& child : children) {
      std::string leaf = child.filename().string();
      if (leaf == "cur" || leaf == "new" || leaf == "tmp") continue;
      auto deeper = levels;
      deeper.push_back(decode_name(leaf));
      add_nested(child, std::move(deeper), out);
    }
  }

  // A Maildir holding mail that no folder reads would be left out without a
  // word: every message file under the root must belong to a folder.
  Result<void> every_file_has_a_folder(const std::vector<StoredFolder>& folders) const {
    std::set<fs::path> read;
    for (const auto& f : folders) read.insert(folder_dir(f).lexically_normal());
    std::vector<std::pair<fs::path, std::size_t>> with_mail;
    maildirs_with_mail(root_, with_mail);
    for (const auto& [dir, files] : with_mail)
      if (!read.count(dir.lexically_normal()))
        return make_error(Errc::Perm, std::to_string(files) + " message files there belong to no folder this layout reads",
                          dir.string());
    return {};
  }

  fs::path folder_dir(const StoredFolder& folder) const {
    // INBOX is the root's cur/ and new/, or a subdirectory INBOX/ when the
    // root holds none (mbsync's "SubFolders Verbatim", many exported trees).
    if (folder.levels.empty() || folder.levels == std::vector<std::string>{"INBOX"})
      return !is_maildir(root_) && is_maildir(root_ / "INBOX") ? root_ / "INBOX" : root_;
    auto encode = [](const std::string& level) {
      auto e = imap::mutf7_encode(level);
      return e ? *e : level;
    };
    // Maildir++ when the root has ".A.B"; a nested tree otherwise.
    std::string dotted;
    for (const auto& l : folder.levels) dotted += "." + encode(l);
    std::error_code ec;
    if (fs::is_directory(root_ / dotted, ec)) return root_ / dotted;
    fs::path nested = root_;
    for (const auto& l : folder.levels) nested /= fs::is_directory(nested / encode(l), ec) ? encode(l) : l;
    return nested;
  }

  fs::path root_;
};

}  // namespace

std::unique_ptr<Store> make_maildir_store(const std::string& path) { return std::make_unique<MaildirStore>(path); }

}  // namespace mf::localmail
