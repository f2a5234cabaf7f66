#include "core/file_system.h"

#include <sqlite3.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace mf {
namespace {

FileSystem& posix() {
  static FileSystem fs;
  return fs;
}
FileSystem* installed = nullptr;

// The VFS "mailferry": the default (unix) VFS with each file's writes,
// truncations, syncs and deletions reported to file_system() first.
struct ShimFile {
  sqlite3_file base;   // must be first: SQLite sees a ShimFile as a sqlite3_file
  sqlite3_file* real;  // the default VFS's file, allocated right after this struct
  std::string* path;
};

sqlite3_vfs* real_vfs = nullptr;
sqlite3_io_methods shim_methods;

sqlite3_file* real_of(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f)->real; }

int shim_close(sqlite3_file* f) {
  auto* s = reinterpret_cast<ShimFile*>(f);
  int rc = s->real->pMethods ? s->real->pMethods->xClose(s->real) : SQLITE_OK;
  delete s->path;
  return rc;
}
int shim_read(sqlite3_file* f, void* p, int n, sqlite3_int64 off) {
  return real_of(f)->pMethods->xRead(real_of(f), p, n, off);
}
int shim_write(sqlite3_file* f, const void* p, int n, sqlite3_int64 off) {
  if (!file_system().sqlite_writes()) return SQLITE_OK;
  return real_of(f)->pMethods->xWrite(real_of(f), p, n, off);
}
int shim_truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (!file_system().sqlite_writes()) return SQLITE_OK;
  return real_of(f)->pMethods->xTruncate(real_of(f), size);
}
int shim_sync(sqlite3_file* f, int flags) {
  if (!file_system().sqlite_writes()) return SQLITE_OK;
  int rc = real_of(f)->pMethods->xSync(real_of(f), flags);
  if (rc == SQLITE_OK) file_system().sqlite_synced(*reinterpret_cast<ShimFile*>(f)->path);
  return rc;
}
int shim_size(sqlite3_file* f, sqlite3_int64* size) { return real_of(f)->pMethods->xFileSize(real_of(f), size); }
int shim_lock(sqlite3_file* f, int level) { return real_of(f)->pMethods->xLock(real_of(f), level); }
int shim_unlock(sqlite3_file* f, int level) { return real_of(f)->pMethods->xUnlock(real_of(f), level); }
int shim_check_lock(sqlite3_file* f, int* out) { return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out); }
int shim_control(sqlite3_file* f, int op, void* arg) { return real_of(f)->pMethods->xFileControl(real_of(f), op, arg); }
int shim_sector(sqlite3_file* f) { return real_of(f)->pMethods->xSectorSize(real_of(f)); }
int shim_device(sqlite3_file* f) { return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f)); }
int shim_shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** p) {
  return real_of(f)->pMethods->xShmMap(real_of(f), page, size, extend, p);
}
int shim_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return real_of(f)->pMethods->xShmLock(real_of(f), offset, n, flags);
}
void shim_shm_barrier(sqlite3_file* f) { real_of(f)->pMethods->xShmBarrier(real_of(f)); }
int shim_shm_unmap(sqlite3_file* f, int delete_flag) { return real_of(f)->pMethods->xShmUnmap(real_of(f), delete_flag); }
int shim_fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** p) {
  return real_of(f)->pMethods->xFetch(real_of(f), off, n, p);
}
int shim_unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) { return real_of(f)->pMethods->xUnfetch(real_of(f), off, p); }

int shim_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  auto* s = reinterpret_cast<ShimFile*>(f);
  s->base.pMethods = nullptr;
  s->real = reinterpret_cast<sqlite3_file*>(s + 1);
  int rc = real_vfs->xOpen(real_vfs, name, s->real, flags, out_flags);
  if (rc != SQLITE_OK) return rc;
  s->path = new std::string(name ? name : "");
  if (name) file_system().sqlite_opened(*s->path);
  s->base.pMethods = &shim_methods;
  return SQLITE_OK;
}
int shim_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  if (!file_system().sqlite_writes()) return SQLITE_OK;
  int rc = real_vfs->xDelete(real_vfs, name, sync_dir);
  if (rc == SQLITE_OK) file_system().sqlite_deleted(name, sync_dir != 0);
  return rc;
}
int shim_access(sqlite3_vfs*, const char* name, int flags, int* out) { return real_vfs->xAccess(real_vfs, name, flags, out); }
int shim_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return real_vfs->xFullPathname(real_vfs, name, n, out);
}
int shim_randomness(sqlite3_vfs*, int n, char* out) { return real_vfs->xRandomness(real_vfs, n, out); }
int shim_sleep(sqlite3_vfs*, int us) { return real_vfs->xSleep(real_vfs, us); }
int shim_current_time(sqlite3_vfs*, double* out) { return real_vfs->xCurrentTime(real_vfs, out); }
int shim_last_error(sqlite3_vfs*, int n, char* out) { return real_vfs->xGetLastError(real_vfs, n, out); }
int shim_current_time64(sqlite3_vfs*, sqlite3_int64* out) { return real_vfs->xCurrentTimeInt64(real_vfs, out); }

}  // namespace

int FileSystem::open(const std::string& path, int flags, mode_t mode) { return ::open(path.c_str(), flags, mode); }
ssize_t FileSystem::pwrite(int fd, const void* data, std::size_t size, off_t offset) {
  return ::pwrite(fd, data, size, offset);
}
int FileSystem::ftruncate(int fd, off_t size) { return ::ftruncate(fd, size); }
int FileSystem::fsync(int fd) { return ::fsync(fd); }
int FileSystem::close(int fd) { return ::close(fd); }
int FileSystem::rename(const std::string& from, const std::string& to) { return ::rename(from.c_str(), to.c_str()); }
int FileSystem::sync_directory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  int rc = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  errno = saved;
  return rc;
}

FileSystem& file_system() { return installed ? *installed : posix(); }
void install_file_system(FileSystem* fs) { installed = fs; }

std::string directory_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

void register_sqlite_vfs() {
  static const bool registered = [] {
    real_vfs = sqlite3_vfs_find(nullptr);
    shim_methods = sqlite3_io_methods{3,           shim_close,      shim_read,       shim_write,       shim_truncate,
                                      shim_sync,   shim_size,       shim_lock,       shim_unlock,      shim_check_lock,
                                      shim_control, shim_sector,    shim_device,     shim_shm_map,     shim_shm_lock,
                                      shim_shm_barrier, shim_shm_unmap, shim_fetch, shim_unfetch};
    static sqlite3_vfs vfs{};
    vfs.iVersion = 2;
    vfs.szOsFile = static_cast<int>(sizeof(ShimFile)) + real_vfs->szOsFile;
    vfs.mxPathname = real_vfs->mxPathname;
    vfs.zName = "mailferry";
    vfs.xOpen = shim_open;
    vfs.xDelete = shim_delete;
    vfs.xAccess = shim_access;
    vfs.xFullPathname = shim_full_pathname;
    vfs.xDlOpen = [](sqlite3_vfs*, const char* f) { return real_vfs->xDlOpen(real_vfs, f); };
    vfs.xDlError = [](sqlite3_vfs*, int n, char* out) { real_vfs->xDlError(real_vfs, n, out); };
    vfs.xDlSym = [](sqlite3_vfs*, void* h, const char* s) { return real_vfs->xDlSym(real_vfs, h, s); };
    vfs.xDlClose = [](sqlite3_vfs*, void* h) { real_vfs->xDlClose(real_vfs, h); };
    vfs.xRandomness = shim_randomness;
    vfs.xSleep = shim_sleep;
    vfs.xCurrentTime = shim_current_time;
    vfs.xGetLastError = shim_last_error;
    vfs.xCurrentTimeInt64 = shim_current_time64;
    return sqlite3_vfs_register(&vfs, 1) == SQLITE_OK;
  }();
  (void)registered;
}

}  // namespace mf
