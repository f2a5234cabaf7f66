// A directory of .eml files (one message each, as mail clients export
// them); subdirectories are folders, files at the top are INBOX.
#include "localmail/stores.h"

#include "core/atomic_file.h"

#include <algorithm>
#include <filesystem>
#include <sys/stat.h>

namespace mf::localmail {
namespace {

namespace fs = std::filesystem;

class EmlStore final : public Store {
 public:
  explicit EmlStore(fs::path root) : root_(std::move(root)) {}

  std::string name() const override { return "eml:" + root_.string(); }

  Result<std::uint64_t> messages_on_disk() override {
    std::uint64_t n = 0;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root_, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      std::string leaf = it->path().filename().string();
      n += it->is_regular_file(ec) && !leaf.empty() && leaf[0] != '.';
    }
    if (ec) return make_error(Errc::Io, "cannot read the directory tree: " + ec.message(), root_.string());
    return n;
  }

  Result<std::vector<StoredFolder>> folders() override {
    std::error_code ec;
    if (!fs::is_directory(root_, ec)) return make_error(Errc::NotFound, "no such directory", root_.string());
    std::vector<StoredFolder> out{StoredFolder{{"INBOX"}}};
    std::vector<fs::path> dirs;
    for (auto it = fs::recursive_directory_iterator(root_, ec); it != fs::recursive_directory_iterator(); ++it)
      if (it->is_directory(ec)) dirs.push_back(it->path());
    std::sort(dirs.begin(), dirs.end());
    for (const auto& dir : dirs) {
      StoredFolder f;
      for (const auto& part : fs::relative(dir, root_)) f.levels.push_back(part.string());
      out.push_back(std::move(f));
    }
    return out;
  }

  Result<std::vector<StoredMessage>> messages(const StoredFolder& folder) override {
    fs::path dir = root_;
    if (folder.levels != std::vector<std::string>{"INBOX"})
      for (const auto& l : folder.levels) dir /= l;
    std::vector<StoredMessage> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      std::string leaf = entry.path().filename().string();
      if (!entry.is_regular_file(ec) || leaf.empty() || leaf[0] == '.') continue;
      struct stat st{};
      if (::stat(entry.path().c_str(), &st) != 0) continue;
      StoredMessage m;
      m.key = fs::relative(entry.path(), root_).string();
      m.size = m.length = static_cast<std::uint64_t>(st.st_size);
      m.date = st.st_mtime;
      m.path = entry.path().string();
      out.push_back(std::move(m));
    }
    if (ec) return make_error(Errc::Io, "cannot read the directory: " + ec.message(), dir.string());
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
    return out;
  }

  Result<std::string> read(const StoredMessage& message) override { return read_file(message.path); }

 private:
  fs::path root_;
};

}  // namespace

std::unique_ptr<Store> make_eml_store(const std::string& path) { return std::make_unique<EmlStore>(path); }

bool is_store_url(std::string_view url) {
  return url.rfind("maildir:", 0) == 0 || url.rfind("mbox:", 0) == 0 || url.rfind("eml:", 0) == 0;
}

Result<std::unique_ptr<Store>> open_store(std::string_view url) {
  auto colon = url.find(':');
  std::string path(url.substr(colon + 1));
  if (path.rfind("//", 0) == 0) path = path.substr(2);  // "maildir:///var/mail" as well as "maildir:/var/mail"
  if (colon == std::string_view::npos || path.empty())
    return make_error(Errc::Usage, "expected maildir:/PATH, mbox:/PATH or eml:/DIR", std::string(url));
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return make_error(Errc::Usage, "no such file or directory", path);
  std::string kind(url.substr(0, colon));
  if (kind == "maildir") return make_maildir_store(path);
  if (kind == "mbox") return make_mbox_store(path);
  if (kind == "eml") return make_eml_store(path);
  return make_error(Errc::Usage, "unknown mail store \"" + kind + "\" (maildir:, mbox:, eml:)", std::string(url));
}

}  // namespace mf::localmail
