// Local files outside the vault (restored output, passphrase files, state).
// Vault files go through storage::Backend instead.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <string>
#include <string_view>
#include <utility>

#include "gptvault/util/bytes.h"
#include "gptvault/util/status.h"

namespace gptvault {

// Closes a descriptor on every path out of a function.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int Release() { return std::exchange(fd_, -1); }
  void Reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  // Closes now and reports the error close() gives (NFS reports late write
  // failures there).
  int Close() {
    int fd = std::exchange(fd_, -1);
    return fd >= 0 && ::close(fd) != 0 ? errno : 0;
  }

 private:
  int fd_;
};

// Writes `data` to `path` so that it appears whole or not at all: a temp file
// beside it, fsync, rename over `path`, fsync of the folder. Mode `mode`.
Status WriteFileAtomically(const std::string& path, ByteView data, int mode = 0600);

// Reads a whole file of at most `max_size` bytes.
Result<Bytes> ReadFile(const std::string& path, size_t max_size);

// Resident memory of this process now (Linux /proc/self/statm), in KiB; 0
// where unknown.
long CurrentRssKiB();

// A file name made from an untrusted one (an archive member's, an export's
// "original name"): its last path component only, no control or reserved
// characters, no leading dot, valid UTF-8, at most 200 bytes (the extension
// kept), no bidirectional-text controls. `fallback` when nothing usable is
// left.
std::string SafeFileName(std::string_view untrusted, std::string_view fallback);

// Creates `path` and any missing parents (like `mkdir -p`) with `mode`;
// fine when it is already a directory.
Status MakeDirectories(const std::string& path, int mode);

// Creates `name` inside the open folder `dir_fd` without following links and
// without replacing anything: when the name is taken, tries "stem (2).ext",
// "stem (3).ext", ... Returns the open descriptor and sets *chosen.
Result<int> CreateUniqueFile(int dir_fd, const std::string& name, std::string* chosen);

}  // namespace gptvault
