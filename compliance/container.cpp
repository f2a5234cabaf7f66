#include "compliance/container.h"

#include "core/file_system.h"

#include <fcntl.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

namespace mf::compliance {

namespace fs = std::filesystem;

namespace {

Error io_error(const std::string& what, const std::string& path, int err = errno) {
  return make_error(err == ENOSPC ? Errc::NoSpace : Errc::Io, what + ": " + std::strerror(err), path);
}

Result<void> sync_file(const std::string& path) {
  int fd = file_system().open(path, O_RDONLY, 0);
  if (fd < 0) return io_error("cannot open", path);
  int rc = file_system().fsync(fd);
  int err = errno;
  file_system().close(fd);
  if (rc != 0) return io_error("cannot fsync", path, err);
  return {};
}

std::string zip_message(zip_t* zip) { return zip_error_strerror(zip_get_error(zip)); }

// What zip_open's error code means.
std::string zip_code_message(int code) {
  zip_error_t e;
  zip_error_init_with_code(&e, code);
  std::string what = zip_error_strerror(&e);
  zip_error_fini(&e);
  return what;
}

}  // namespace

Result<ExportWriter> ExportWriter::create(const std::string& out, bool zip) {
  std::error_code ec;
  if (out.empty()) return make_error(Errc::Usage, "no --out given");
  if (fs::exists(out, ec)) return make_error(Errc::Exists, "exists already (an export is never overwritten)", out);
  ExportWriter w;
  w.out_ = out;
  w.zip_ = zip;
  w.staging_ = out + ".partial";
  fs::remove_all(w.staging_, ec);  // what an interrupted export of the same name left
  if (!fs::create_directories(w.staging_, ec) || ec)
    return make_error(Errc::Io, "cannot create: " + ec.message(), w.staging_);
  return w;
}

ExportWriter::~ExportWriter() {
  if (fd_ >= 0) file_system().close(fd_);
  if (!finished_ && !staging_.empty()) {
    std::error_code ec;
    fs::remove_all(staging_, ec);
    fs::remove(staging_ + ".zip", ec);
  }
}

Result<void> ExportWriter::close_current() {
  if (fd_ < 0) return {};
  int fd = std::exchange(fd_, -1);
  // A zip is fsynced once, whole; files that stay files are fsynced each.
  int rc = zip_ ? 0 : file_system().fsync(fd);
  int err = errno;
  file_system().close(fd);
  if (rc != 0) return io_error("cannot fsync", staging_ + "/" + current_, err);
  return {};
}

Result<void> ExportWriter::append(const std::string& name, std::string_view bytes) {
  std::string path = staging_ + "/" + name;
  if (name != current_ || fd_ < 0) {
    MF_CHECK(close_current());
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    if (ec) return make_error(Errc::Io, "cannot create: " + ec.message(), path);
    fd_ = file_system().open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) return io_error("cannot create", path);
    current_ = name;
  }
  File& file = files_[name];
  std::uint64_t& size = file.size;
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = file_system().pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(size + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return io_error("cannot write", path);
    done += static_cast<std::size_t>(n);
  }
  size += bytes.size();
  file.hash->update(bytes);
  return {};
}

std::uint64_t ExportWriter::size_of(const std::string& name) const {
  auto it = files_.find(name);
  return it == files_.end() ? 0 : it->second.size;
}

std::vector<std::pair<std::string, std::string>> ExportWriter::digests() {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& [name, file] : files_) out.emplace_back(name, to_hex(file.hash->finish()));
  return out;
}

Result<void> ExportWriter::finish() {
  MF_CHECK(close_current());
  std::string target_dir = directory_of(out_);
  if (!zip_) {
    // Every folder's names durable, then the whole tree renamed into place.
    std::set<std::string> dirs{staging_};
    for (const auto& [name, file] : files_) dirs.insert(fs::path(staging_ + "/" + name).parent_path().string());
    for (const auto& d : dirs)
      if (file_system().sync_directory(d) != 0) return io_error("cannot fsync", d);
    if (file_system().rename(staging_, out_) != 0) return io_error("cannot rename into place", out_);
    if (file_system().sync_directory(target_dir) != 0) return io_error("cannot fsync", target_dir);
    finished_ = true;
    return {};
  }
  std::string partial = staging_ + ".zip";
  int error = 0;
  zip_t* zip = zip_open(partial.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  if (!zip) return make_error(Errc::Io, "cannot create the zip file: " + zip_code_message(error), partial);
  for (const auto& [name, file] : files_) {
    std::string path = staging_ + "/" + name;
    zip_source_t* source = zip_source_file(zip, path.c_str(), 0, -1);
    if (!source || zip_file_add(zip, name.c_str(), source, ZIP_FL_ENC_UTF_8) < 0) {
      std::string what = zip_message(zip);
      if (source) zip_source_free(source);
      zip_discard(zip);
      return make_error(Errc::Io, "cannot add " + name + " to the zip file: " + what, partial);
    }
  }
  if (zip_close(zip) != 0) {
    std::string what = zip_message(zip);
    zip_discard(zip);
    return make_error(Errc::Io, "cannot write the zip file: " + what, partial);
  }
  MF_CHECK(sync_file(partial));
  if (file_system().rename(partial, out_) != 0) return io_error("cannot rename into place", out_);
  if (file_system().sync_directory(target_dir) != 0) return io_error("cannot fsync", target_dir);
  finished_ = true;
  std::error_code ec;
  fs::remove_all(staging_, ec);
  return {};
}

Result<ExportReader> ExportReader::open(const std::string& path) {
  ExportReader r;
  r.path_ = path;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
      if (it->is_regular_file(ec)) r.names_.push_back(fs::relative(it->path(), path, ec).generic_string());
    if (ec) return make_error(Errc::Io, "cannot list: " + ec.message(), path);
  } else {
    int error = 0;
    zip_t* zip = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &error);
    if (!zip) {
      bool missing = error == ZIP_ER_NOENT || error == ZIP_ER_OPEN;
      return make_error(missing ? Errc::NotFound : Errc::Corrupt,
                        "not an export (a directory or a zip file): " + zip_code_message(error), path);
    }
    r.zip_ = zip;
    zip_int64_t n = zip_get_num_entries(zip, 0);
    for (zip_int64_t i = 0; i < n; ++i) {
      const char* name = zip_get_name(zip, static_cast<zip_uint64_t>(i), ZIP_FL_ENC_GUESS);
      if (name && name[0] != '\0' && name[std::strlen(name) - 1] != '/') r.names_.emplace_back(name);
    }
  }
  std::sort(r.names_.begin(), r.names_.end());
  return r;
}

ExportReader::ExportReader(ExportReader&& other) noexcept
    : path_(std::move(other.path_)), zip_(std::exchange(other.zip_, nullptr)), names_(std::move(other.names_)) {}

ExportReader::~ExportReader() {
  if (zip_) zip_discard(static_cast<zip_t*>(zip_));
}

bool ExportReader::has(const std::string& name) const { return std::binary_search(names_.begin(), names_.end(), name); }

Result<void> ExportReader::visit(const std::string& name, std::uint64_t offset, std::uint64_t length,
                                 const Chunk& chunk) const {
  std::string where = path_ + ": " + name;
  if (!has(name)) return make_error(Errc::NotFound, "missing from the export", where);
  char buffer[1 << 16];
  auto take = [&](std::string_view got) {  // what is left of the range, at most all of got; false: stop
    auto n = static_cast<std::size_t>(std::min<std::uint64_t>(got.size(), length));
    length -= n;
    return n == 0 || chunk(got.substr(0, n));
  };
  if (!zip_) {
    std::string path = path_ + "/" + name;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return io_error("cannot open", where);
    auto close = [fd] { ::close(fd); };
    if (::lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0) {
      int err = errno;
      close();
      return io_error("cannot seek", where, err);
    }
    while (length > 0) {
      ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        int err = errno;
        close();
        return io_error("cannot read", where, err);
      }
      if (n == 0) break;
      if (!take({buffer, static_cast<std::size_t>(n)})) break;
    }
    close();
    return {};
  }
  auto* zip = static_cast<zip_t*>(zip_);
  zip_file_t* file = zip_fopen(zip, name.c_str(), 0);
  if (!file) return make_error(Errc::Corrupt, "cannot open in the zip file: " + zip_message(zip), where);
  // A compressed entry cannot seek: what lies before offset is read and dropped.
  while (length > 0) {
    zip_int64_t n = zip_fread(file, buffer, sizeof buffer);
    if (n < 0) {
      std::string what = zip_error_strerror(zip_file_get_error(file));
      zip_fclose(file);
      return make_error(Errc::Corrupt, "damaged in the zip file: " + what, where);
    }
    if (n == 0) break;
    std::string_view got(buffer, static_cast<std::size_t>(n));
    std::size_t skip = static_cast<std::size_t>(std::min<std::uint64_t>(offset, got.size()));
    offset -= skip;
    if (!take(got.substr(skip))) break;
  }
  zip_fclose(file);
  return {};
}

Result<std::string> ExportReader::read(const std::string& name, std::uint64_t offset, std::uint64_t length) const {
  std::string bytes;
  bool too_large = length != kWhole && length > kMaxReadBytes;
  if (length == kWhole && has(name)) {  // refused before a byte is read when the size says so
    std::uint64_t size = 0;
    if (zip_) {
      zip_stat_t st;
      zip_stat_init(&st);
      if (zip_stat(static_cast<zip_t*>(zip_), name.c_str(), 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE)) size = st.size;
    } else {
      std::error_code ec;
      size = fs::file_size(path_ + "/" + name, ec);
      if (ec) size = 0;
    }
    too_large = size - std::min(size, offset) > kMaxReadBytes;
  }
  if (!too_large) MF_CHECK(visit(name, offset, length, [&](std::string_view chunk) {
    too_large = bytes.size() + chunk.size() > kMaxReadBytes;  // a file that grew, or a zip that lied about its size
    if (!too_large) bytes.append(chunk);
    return !too_large;
  }));
  if (too_large)
    return make_error(Errc::Limit, "larger than " + std::to_string(kMaxReadBytes) + " bytes, more than any message",
                      path_ + ": " + name);
  return bytes;
}

Result<Digest> ExportReader::sha256_of(const std::string& name) const {
  Sha256 hash;
  MF_CHECK(visit(name, 0, kWhole, [&](std::string_view chunk) {
    hash.update(chunk);
    return true;
  }));
  return hash.finish();
}

}  // namespace mf::compliance
