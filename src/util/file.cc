#include "gptvault/util/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>

namespace gptvault {

namespace {

Status Errno(const std::string& what, const std::string& path) {
  return Status::IOError(what + " " + path + ": " + std::strerror(errno));
}

std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

Status WriteFileAtomically(const std::string& path, ByteView data, int mode) {
  std::random_device rd;
  std::string tmp = path + ".tmp-" + std::to_string(rd()) + std::to_string(rd());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return Errno("cannot create", tmp);
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = Errno("cannot write", path);
      ::close(fd);
      ::unlink(tmp.c_str());
      return s;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status s = Errno("cannot sync", path);
    ::close(fd);
    ::unlink(tmp.c_str());
    return s;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = Errno("cannot write", path);
    ::unlink(tmp.c_str());
    return s;
  }
  int dir = ::open(DirName(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return Status::Ok();
}

Result<Bytes> ReadFile(const std::string& path, size_t max_size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("no such file: " + path);
    return Errno("cannot open", path);
  }
  Bytes out;
  uint8_t buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = Errno("cannot read", path);
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_size) {
      ::close(fd);
      return Status::InvalidArgument(path + " is larger than expected");
    }
    out.insert(out.end(), buf, buf + n);
  }
  ::close(fd);
  return out;
}

}  // namespace gptvault

namespace gptvault {

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0.
size_t Utf8Sequence(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return 0;
  }
  return len;
}

constexpr size_t kMaxName = 200;

// Bidirectional-text controls (U+200E, U+200F, U+202A..U+202E, U+2066..U+2069):
// a right-to-left override makes "harmless\u202Efdp.exe" display as
// "harmlessexe.pdf", so a restored name never carries one.
bool IsBidiControl(std::string_view seq) {
  if (seq.size() != 3 || static_cast<unsigned char>(seq[0]) != 0xE2) return false;
  unsigned char b1 = static_cast<unsigned char>(seq[1]);
  unsigned char b2 = static_cast<unsigned char>(seq[2]);
  if (b1 == 0x80) return b2 == 0x8E || b2 == 0x8F || (b2 >= 0xAA && b2 <= 0xAE);
  if (b1 == 0x81) return b2 >= 0xA6 && b2 <= 0xA9;
  return false;
}

}  // namespace

std::string SafeFileName(std::string_view name, std::string_view fallback) {
  size_t cut = name.find_last_of("/\\");
  if (cut != std::string_view::npos) name = name.substr(cut + 1);
  std::string out;
  for (size_t i = 0; i < name.size();) {
    size_t len = Utf8Sequence(name, i);
    if (len == 0) {
      out += '_';
      ++i;
      continue;
    }
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (len == 1 &&
        (c < 0x20 || c == 0x7F ||
         std::string_view("<>:\"|?*").find(static_cast<char>(c)) != std::string_view::npos)) {
      out += '_';
    } else if (!IsBidiControl(name.substr(i, len))) {
      out.append(name.substr(i, len));
    }
    i += len;
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '.')) out.pop_back();
  while (!out.empty() && (out.front() == ' ' || out.front() == '.')) out.erase(0, 1);
  if (out.size() > kMaxName) {
    size_t dot = out.find_last_of('.');
    std::string ext = (dot != std::string::npos && out.size() - dot <= 16) ? out.substr(dot) : "";
    size_t keep = kMaxName - ext.size();
    while (keep > 0 && (static_cast<unsigned char>(out[keep]) >> 6) == 2) --keep;  // UTF-8 boundary
    out = out.substr(0, keep) + ext;
  }
  if (out.empty()) return SafeFileName(fallback, "file");
  return out;
}

Status MakeDirectories(const std::string& path, int mode) {
  if (path.empty()) return Status::InvalidArgument("empty directory name");
  for (size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
    std::string prefix = path.substr(0, slash);
    if (::mkdir(prefix.c_str(), static_cast<mode_t>(mode)) != 0 && errno != EEXIST) {
      return Errno("cannot create", prefix);
    }
    if (slash == std::string::npos) break;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::InvalidArgument(path + " is not a directory");
  }
  return Status::Ok();
}

Result<int> CreateUniqueFile(int dir_fd, const std::string& name, std::string* chosen) {
  size_t dot = name.find_last_of('.');
  std::string stem = dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
  std::string ext = dot == std::string::npos || dot == 0 ? "" : name.substr(dot);
  for (int n = 1; n < 10000; ++n) {
    std::string candidate = n == 1 ? name : stem + " (" + std::to_string(n) + ")" + ext;
    int fd = ::openat(dir_fd, candidate.c_str(),
                      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0) {
      *chosen = candidate;
      return fd;
    }
    if (errno != EEXIST) {
      return Status::IOError("cannot create " + candidate + ": " + std::strerror(errno));
    }
  }
  return Status::IOError("cannot find a free name for " + name);
}

}  // namespace gptvault

namespace gptvault {

long CurrentRssKiB() {
  int fd = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[128] = {};
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return 0;
  long pages_total = 0, pages_resident = 0;
  if (std::sscanf(buf, "%ld %ld", &pages_total, &pages_resident) != 2) return 0;
  return pages_resident * (::sysconf(_SC_PAGESIZE) / 1024);
}

}  // namespace gptvault
