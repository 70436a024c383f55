// The local-folder backend. Everything goes through POSIX calls on file
// descriptors so every failure is an errno we can name, and nothing throws.

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>  // renameat2
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <new>
#include <string_view>
#include <system_error>
#include <utility>

#include "gptvault/crypto/crypto.h"
#include "gptvault/storage/backend.h"
#include "gptvault/storage/file_names.h"
#include "gptvault/util/file.h"

namespace gptvault::storage {

namespace {

std::string ErrnoText(int err) { return std::error_code(err, std::generic_category()).message(); }

Status IOErrorFor(const char* verb, const std::string& path, int err) {
  return Status::IOError(std::string("cannot ") + verb + " " + path + ": " + ErrnoText(err));
}

// A List prefix is "" or a name prefix; only its folder part is walked.
Status CheckPrefix(const std::string& prefix) {
  if (prefix.empty()) return Status::Ok();
  const size_t slash = prefix.rfind('/');
  const bool bad_chars = prefix.front() == '/' || prefix.find('\\') != std::string::npos ||
                         prefix.find('\0') != std::string::npos;
  if (bad_chars ||
      (slash != std::string::npos && !CheckStorageName(prefix.substr(0, slash)).ok())) {
    return Status::InvalidArgument("invalid storage prefix \"" + prefix + "\"");
  }
  return Status::Ok();
}

int OpenRetry(const char* path, int flags, mode_t mode = 0) {
  int fd;
  do {
    fd = ::open(path, flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

int FsyncRetry(int fd) {
  int r;
  do {
    r = ::fsync(fd);
  } while (r != 0 && errno == EINTR);
  return r;
}

std::string ParentOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Makes a directory entry durable. Some file systems cannot fsync a
// directory at all (EINVAL); there is nothing better to do on those.
Status SyncDir(const std::string& dir) {
  Fd fd(OpenRetry(dir.c_str(), O_RDONLY | O_DIRECTORY));
  if (fd.get() < 0) return IOErrorFor("open folder", dir, errno);
  if (FsyncRetry(fd.get()) != 0 && errno != EINVAL) return IOErrorFor("sync folder", dir, errno);
  return Status::Ok();
}

// mkdir -p with mode 0700; each folder it creates is made durable in its parent.
Status MakeDirs(const std::string& dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::Ok();
    return Status::IOError("cannot create folder " + dir + ": a file is in the way");
  }
  if (errno != ENOENT) return IOErrorFor("create folder", dir, errno);
  std::string parent = ParentOf(dir);
  if (parent != dir) GV_RETURN_IF_ERROR(MakeDirs(parent));
  if (::mkdir(dir.c_str(), 0700) != 0) {
    if (errno == EEXIST) return Status::Ok();  // another writer made it meanwhile
    return IOErrorFor("create folder", dir, errno);
  }
  return SyncDir(parent);
}

Status WriteAll(int fd, ByteView data, const std::string& path) {
  const uint8_t* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IOErrorFor("write", path, errno);
    }
    if (n == 0) return IOErrorFor("write", path, EIO);
    p += n;
    left -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

// Reads `length` bytes at `offset`; returns how many there were before the
// end of the file.
Result<size_t> PreadAll(int fd, uint8_t* out, size_t length, uint64_t offset,
                        const std::string& path) {
  size_t got = 0;
  while (got < length) {
    ssize_t n = ::pread(fd, out + got, length - got, static_cast<off_t>(offset + got));
    if (n < 0) {
      if (errno == EINTR) continue;
      return IOErrorFor("read", path, errno);
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  return got;
}

// Gives `tmp` the name `final` unless `final` exists. Returns 0 or an errno,
// EEXIST meaning the name is taken and nothing was changed.
int LinkNoReplace(const std::string& tmp, const std::string& final_path) {
#ifdef RENAME_NOREPLACE
  // One atomic step where the file system supports it.
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, final_path.c_str(), RENAME_NOREPLACE) == 0) {
    return 0;
  }
  if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) return errno;
#endif
  // link() also refuses to replace; the temporary name is then dropped.
  if (::link(tmp.c_str(), final_path.c_str()) == 0) {
    ::unlink(tmp.c_str());
    return 0;
  }
  if (errno != EPERM && errno != ENOSYS && errno != EOPNOTSUPP) return errno;
  // Neither is available (exFAT, some network and FUSE file systems): check,
  // then rename. Only a concurrent writer of the very same name can slip in
  // between, which is better than a vault that cannot be written at all.
  struct stat st;
  if (::lstat(final_path.c_str(), &st) == 0) return EEXIST;
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) return errno;
  return 0;
}

class LocalBackend final : public Backend {
 public:
  explicit LocalBackend(std::string root) : root_(std::move(root)) {}

  Status Put(const std::string& name, ByteView data) override {
    GV_RETURN_IF_ERROR(CheckStorageName(name));
    const std::string path = PathOf(name);
    const std::string dir = ParentOf(path);
    struct stat st;
    if (::lstat(path.c_str(), &st) == 0) return AlreadyExists(path);
    GV_RETURN_IF_ERROR(MakeDirs(dir));

    // The temporary file lives in the destination folder so the final rename
    // never crosses file systems.
    std::string tmp;
    Fd fd;
    for (int attempt = 0; attempt < 8 && fd.get() < 0; ++attempt) {
      tmp = dir + "/" + std::string(kTempPrefix) + ToHex(crypto::RandomBytes(8));
      fd.Reset(OpenRetry(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600));
      if (fd.get() < 0 && errno != EEXIST) return IOErrorFor("write", path, errno);
    }
    if (fd.get() < 0) return IOErrorFor("write", path, EEXIST);

    Status s = WriteAll(fd.get(), data, path);
    if (s.ok() && FsyncRetry(fd.get()) != 0) s = IOErrorFor("write", path, errno);
    if (int err = fd.Close(); s.ok() && err != 0) s = IOErrorFor("write", path, err);
    if (s.ok()) {
      if (int err = LinkNoReplace(tmp, path); err != 0) {
        s = err == EEXIST ? AlreadyExists(path) : IOErrorFor("write", path, err);
      }
    }
    if (!s.ok()) {
      ::unlink(tmp.c_str());
      return s;
    }
    return SyncDir(dir);
  }

  Result<Bytes> Get(const std::string& name) override {
    GV_RETURN_IF_ERROR(CheckStorageName(name));
    const std::string path = PathOf(name);
    Fd fd;
    GV_RETURN_IF_ERROR(OpenForRead(path, fd));
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) return IOErrorFor("read", path, errno);
    if (!S_ISREG(st.st_mode)) return Status::IOError("cannot read " + path + ": not a file");
    Bytes out;
    try {
      out.resize(static_cast<size_t>(st.st_size));
    } catch (const std::bad_alloc&) {
      return Status::IOError("cannot read " + path + ": out of memory");
    }
    GV_ASSIGN_OR_RETURN(size_t got, PreadAll(fd.get(), out.data(), out.size(), 0, path));
    // Files are immutable, so a size that changed under us means damage.
    if (got != out.size()) return Status::Corruption(path + " shrank while being read");
    return out;
  }

  Result<Bytes> GetRange(const std::string& name, uint64_t offset, uint64_t length) override {
    GV_RETURN_IF_ERROR(CheckStorageName(name));
    const std::string path = PathOf(name);
    Fd fd;
    GV_RETURN_IF_ERROR(OpenForRead(path, fd));
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) return IOErrorFor("read", path, errno);
    if (!S_ISREG(st.st_mode)) return Status::IOError("cannot read " + path + ": not a file");
    // Checked before allocating: a damaged index must not be able to ask for
    // an absurd buffer.
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    if (offset > size || length > size - offset) return TooShort(path, offset, length, size);
    Bytes out;
    try {
      out.resize(static_cast<size_t>(length));
    } catch (const std::bad_alloc&) {
      return Status::IOError("cannot read " + path + ": out of memory");
    }
    GV_ASSIGN_OR_RETURN(size_t got, PreadAll(fd.get(), out.data(), out.size(), offset, path));
    if (got != length) return TooShort(path, offset, length, offset + got);
    return out;
  }

  Result<std::vector<FileInfo>> List(const std::string& prefix) override {
    GV_RETURN_IF_ERROR(CheckPrefix(prefix));
    // Walk the folder part of the prefix and filter on the rest.
    size_t slash = prefix.rfind('/');
    std::string folder = slash == std::string::npos ? "" : prefix.substr(0, slash);
    std::vector<FileInfo> out;
    try {
      GV_RETURN_IF_ERROR(Walk(folder, prefix, out));
    } catch (const std::bad_alloc&) {
      return Status::IOError("cannot list " + root_ + ": out of memory");
    }
    return out;
  }

  Status Delete(const std::string& name) override {
    GV_RETURN_IF_ERROR(CheckStorageName(name));
    const std::string path = PathOf(name);
    if (::unlink(path.c_str()) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return Status::Ok();
      return IOErrorFor("delete", path, errno);
    }
    return SyncDir(ParentOf(path));
  }

  std::string Describe() const override { return root_; }

 private:
  std::string PathOf(const std::string& name) const { return root_ + "/" + name; }

  static Status AlreadyExists(const std::string& path) {
    return Status::AlreadyExists(path + " already exists");
  }

  static Status TooShort(const std::string& path, uint64_t offset, uint64_t length, uint64_t size) {
    return Status::Corruption(path + " is too short: wanted " + std::to_string(length) +
                              " bytes at offset " + std::to_string(offset) + ", file has " +
                              std::to_string(size));
  }

  static Status OpenForRead(const std::string& path, Fd& fd) {
    fd.Reset(OpenRetry(path.c_str(), O_RDONLY));
    if (fd.get() >= 0) return Status::Ok();
    if (errno == ENOENT || errno == ENOTDIR) return Status::NotFound(path + " not found");
    return IOErrorFor("read", path, errno);
  }

  // Appends the files under `folder` (relative to the root, "" for the root)
  // whose names start with `prefix`. Symbolic links to folders are not
  // followed, so a link cannot make the walk loop or leave the vault.
  Status Walk(const std::string& folder, const std::string& prefix, std::vector<FileInfo>& out) {
    const std::string dir_path = folder.empty() ? root_ : PathOf(folder);
    // The root itself may well be a link (a vault inside a synced folder).
    const int nofollow = folder.empty() ? 0 : O_NOFOLLOW;
    Fd dir_fd(OpenRetry(dir_path.c_str(), O_RDONLY | O_DIRECTORY | nofollow));
    if (dir_fd.get() < 0) {
      // A folder nothing was written to yet is simply empty; a linked one is
      // skipped.
      if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) return Status::Ok();
      return IOErrorFor("list", dir_path, errno);
    }
    DIR* dir = ::fdopendir(dir_fd.get());
    if (dir == nullptr) return IOErrorFor("list", dir_path, errno);
    const int fd = dir_fd.Release();  // now owned by `dir`, closed by closedir
    std::vector<std::string> subfolders;
    Status status;
    while (true) {
      errno = 0;
      dirent* entry = ::readdir(dir);
      if (entry == nullptr) {
        if (errno != 0) status = IOErrorFor("list", dir_path, errno);
        break;
      }
      std::string_view base = entry->d_name;
      if (base == "." || base == ".." || base.starts_with(kTempPrefix)) continue;
      std::string rel = folder.empty() ? std::string(base) : folder + "/" + std::string(base);
      struct stat st;
      if (::fstatat(fd, entry->d_name, &st, 0) != 0) {
        if (errno == ENOENT) continue;  // deleted while we looked, or a dangling link
        status = IOErrorFor("list", dir_path + "/" + std::string(base), errno);
        break;
      }
      if (S_ISDIR(st.st_mode)) {
        // Only descend where the prefix can still match below.
        std::string as_folder = rel + "/";
        if (as_folder.starts_with(prefix) || prefix.starts_with(as_folder)) {
          subfolders.push_back(std::move(rel));
        }
      } else if (S_ISREG(st.st_mode) && rel.starts_with(prefix)) {
        out.push_back(
            {std::move(rel), static_cast<uint64_t>(st.st_size), static_cast<int64_t>(st.st_mtime)});
      }
    }
    ::closedir(dir);
    GV_RETURN_IF_ERROR(status);
    for (const std::string& sub : subfolders) GV_RETURN_IF_ERROR(Walk(sub, prefix, out));
    return Status::Ok();
  }

  std::string root_;
};

}  // namespace

std::unique_ptr<Backend> NewLocalBackend(const std::string& root) {
  std::string r = root.empty() ? "." : root;
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  return std::make_unique<LocalBackend>(std::move(r));
}

}  // namespace gptvault::storage
