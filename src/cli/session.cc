#include "session.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string_view>
#include <utility>

#include "gptvault/util/bytes.h"
#include "gptvault/util/file.h"

namespace gptvault::cli::session {

namespace {

constexpr char kMagic[4] = {'G', 'V', 'S', '1'};
constexpr uint8_t kOpKey = 1;
constexpr uint8_t kOpEnd = 2;
constexpr uint8_t kStatusOk = 0;
constexpr uint8_t kStatusOtherVault = 1;
constexpr size_t kRequestSize = 4 + 1 + 16;
constexpr size_t kReplyHeaderSize = 4 + 1 + 8;
constexpr size_t kKeySize = 32;
// A peer gets this long to send or take its few bytes; the session serves
// one peer at a time and must not be held up by one that stalls.
constexpr timeval kPeerTimeout{2, 0};

bool WriteAll(int fd, const uint8_t* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

bool ReadAll(int fd, uint8_t* p, size_t n) {
  while (n > 0) {
    ssize_t r = ::recv(fd, p, n, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

bool PeerIsMe(int fd) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return false;
  return cred.uid == ::geteuid();
}

void SetPeerTimeouts(int fd) {
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &kPeerTimeout, sizeof kPeerTimeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &kPeerTimeout, sizeof kPeerTimeout);
}

// The directory sessions listen in, created when `create`. Refused unless
// it is a real directory of ours that no one else may enter: anyone who
// could would be able to put their own socket in place of ours.
Result<std::string> SessionDir(bool create) {
  std::string dir;
  if (const char* run = std::getenv("XDG_RUNTIME_DIR"); run && *run == '/') {
    dir = std::string(run) + "/gptvault";
  } else {
    dir = "/tmp/gptvault-" + std::to_string(::geteuid());
  }
  if (create && ::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::IOError("cannot create the session directory " + dir + ": " +
                           std::strerror(errno));
  }
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) {
    return Status::NotFound("no session directory " + dir);
  }
  if (!S_ISDIR(st.st_mode) || st.st_uid != ::geteuid() || (st.st_mode & 077) != 0) {
    return Status::InvalidArgument("the session directory " + dir +
                                   " is not a private directory of this user (mode 0700)");
  }
  return dir;
}

Result<sockaddr_un> SocketAddress(const VaultId& vault_id, bool create) {
  GV_ASSIGN_OR_RETURN(std::string dir, SessionDir(create));
  std::string path = dir + "/" + ToHex(ByteView(vault_id.data(), vault_id.size())) + ".sock";
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) {
    return Status::InvalidArgument("the session socket path " + path +
                                   " is too long; set XDG_RUNTIME_DIR to a shorter path");
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

// A connection to the session's socket, or -1 when nothing answers there.
// A socket no process listens on is left by a session that was killed; it
// is removed.
int Connect(const sockaddr_un& addr) {
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return -1;
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno == ECONNREFUSED) ::unlink(addr.sun_path);
    return -1;
  }
  if (!PeerIsMe(fd.get())) return -1;
  SetPeerTimeouts(fd.get());
  return fd.Release();
}

// Sends one request and reads the reply's header; the connection stays
// open for a key that follows.
bool Ask(int fd, uint8_t op, const VaultId& vault_id, uint8_t* header) {
  uint8_t request[kRequestSize];
  std::memcpy(request, kMagic, 4);
  request[4] = op;
  std::memcpy(request + 5, vault_id.data(), vault_id.size());
  if (!WriteAll(fd, request, sizeof request)) return false;
  if (!ReadAll(fd, header, kReplyHeaderSize)) return false;
  return std::memcmp(header, kMagic, 4) == 0 && header[4] == kStatusOk;
}

void PutU64At(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

// The socket a session listens on, as bound: removed when the session
// ends, unless a newer session has put its own in its place.
struct BoundSocket {
  sockaddr_un addr{};
  struct stat st {};
  bool known = false;

  void Remove() const {
    struct stat now {};
    if (known && ::stat(addr.sun_path, &now) == 0 && now.st_ino == st.st_ino &&
        now.st_dev == st.st_dev) {
      ::unlink(addr.sun_path);
    }
  }
};

// Answers one peer; false when the session is to end. The socket is gone
// before an end request is answered, so a new session started right after
// cannot lose its own socket to the old one.
bool ServeOne(int fd, const VaultId& vault_id, const crypto::SecretBytes& key, uint64_t expires,
              const BoundSocket& socket) {
  if (!PeerIsMe(fd)) return true;
  SetPeerTimeouts(fd);
  uint8_t request[kRequestSize];
  if (!ReadAll(fd, request, sizeof request) || std::memcmp(request, kMagic, 4) != 0) return true;
  uint8_t op = request[4];
  bool ours = std::memcmp(request + 5, vault_id.data(), vault_id.size()) == 0;
  crypto::SecretBytes reply(kReplyHeaderSize + kKeySize);
  std::memcpy(reply.data(), kMagic, 4);
  reply.data()[4] = ours ? kStatusOk : kStatusOtherVault;
  PutU64At(reply.data() + 5, expires);
  size_t size = kReplyHeaderSize;
  if (ours && op == kOpKey) {
    std::memcpy(reply.data() + kReplyHeaderSize, key.data(), kKeySize);
    size += kKeySize;
  }
  bool end = ours && op == kOpEnd;
  if (end) socket.Remove();
  WriteAll(fd, reply.data(), size);
  return !end;
}

// The session process: never returns. Holds the key in memory locked in
// this process (locks are not inherited across fork), wipes what it
// inherited, and serves until the deadline or an end request.
[[noreturn]] void Serve(int listen_fd, const sockaddr_un& addr, const VaultId& vault_id,
                        crypto::SecretBytes& inherited, time_t deadline) {
  ::setsid();
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  ::signal(SIGHUP, SIG_IGN);
  ::signal(SIGPIPE, SIG_IGN);
  ::signal(SIGINT, SIG_IGN);
  // Keep nothing of the parent's open: not its terminal, not the pipes of
  // whoever waits for its output, not the vault's files.
  if (listen_fd != 3) {
    ::dup2(listen_fd, 3);
    listen_fd = 3;
  }
  ::close_range(4, ~0U, 0);
  if (int null = ::open("/dev/null", O_RDWR); null >= 0) {
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
    if (null > 3) ::close(null);
  }
  (void)!::chdir("/");
  // The passphrase may have come in the environment; this process lives on.
  for (const char* name : {"GPTVAULT_PASSPHRASE", "GPTVAULT_NEW_PASSPHRASE"}) {
    if (char* value = std::getenv(name)) crypto::Wipe(value, std::strlen(value));
    ::unsetenv(name);
  }
  BoundSocket socket;
  socket.addr = addr;
  socket.known = ::stat(addr.sun_path, &socket.st) == 0;
  {
    crypto::SecretBytes key = crypto::SecretBytes::Copy(inherited.view());
    crypto::Wipe(inherited.data(), inherited.size());
    for (;;) {
      time_t now = std::time(nullptr);
      if (now >= deadline) break;
      long wait_ms = static_cast<long>(deadline - now) * 1000;
      pollfd p{listen_fd, POLLIN, 0};
      int ready = ::poll(&p, 1, static_cast<int>(std::min<long>(wait_ms, 60'000)));
      if (ready < 0 && errno != EINTR) break;
      if (ready <= 0) continue;
      Fd peer(::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC));
      if (peer.get() < 0) continue;
      if (!ServeOne(peer.get(), vault_id, key, static_cast<uint64_t>(deadline), socket)) {
        // Held open until the process is gone: the peer that asked for
        // the end sees end-of-file only once this memory no longer exists.
        (void)peer.Release();
        break;
      }
    }
  }  // the key is wiped here
  socket.Remove();
  ::_exit(0);
}

}  // namespace

Status Start(const VaultId& vault_id, crypto::SecretBytes master, std::chrono::seconds lifetime) {
  GV_ASSIGN_OR_RETURN(sockaddr_un addr, SocketAddress(vault_id, /*create=*/true));
  End(vault_id);
  if (::unlink(addr.sun_path) != 0 && errno != ENOENT) {
    return Status::IOError(std::string("cannot remove the old session socket ") + addr.sun_path +
                           ": " + std::strerror(errno));
  }
  Fd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (listener.get() < 0 ||
      ::bind(listener.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener.get(), 16) != 0) {
    return Status::IOError(std::string("cannot listen on ") + addr.sun_path + ": " +
                           std::strerror(errno));
  }
  time_t deadline = std::time(nullptr) + static_cast<time_t>(lifetime.count());
  pid_t pid = ::fork();
  if (pid < 0) {
    ::unlink(addr.sun_path);
    return Status::IOError(std::string("cannot start the session: ") + std::strerror(errno));
  }
  if (pid == 0) Serve(listener.get(), addr, vault_id, master, deadline);
  return Status::Ok();
}

bool AnyMayBeRunning() {
  auto dir = SessionDir(/*create=*/false);
  if (!dir.ok()) return false;
  DIR* d = ::opendir(dir->c_str());
  if (d == nullptr) return false;
  bool found = false;
  while (const dirent* e = ::readdir(d)) {
    if (std::string_view(e->d_name).ends_with(".sock")) {
      found = true;
      break;
    }
  }
  ::closedir(d);
  return found;
}

std::optional<crypto::SecretBytes> FetchKey(const VaultId& vault_id) {
  auto addr = SocketAddress(vault_id, /*create=*/false);
  if (!addr.ok()) return std::nullopt;
  Fd fd(Connect(*addr));
  if (fd.get() < 0) return std::nullopt;
  uint8_t header[kReplyHeaderSize];
  if (!Ask(fd.get(), kOpKey, vault_id, header)) return std::nullopt;
  crypto::SecretBytes key(kKeySize);
  if (!ReadAll(fd.get(), key.data(), key.size())) return std::nullopt;
  return key;
}

bool End(const VaultId& vault_id) {
  auto addr = SocketAddress(vault_id, /*create=*/false);
  if (!addr.ok()) return false;
  Fd fd(Connect(*addr));
  if (fd.get() < 0) return false;
  uint8_t header[kReplyHeaderSize];
  if (!Ask(fd.get(), kOpEnd, vault_id, header)) return false;
  // "locked" is said only once the session process has exited, its key
  // with it: it closes this connection by exiting (bounded by the timeout).
  for (uint8_t byte;;) {
    ssize_t r = ::recv(fd.get(), &byte, 1, 0);
    if (r == 0 || (r < 0 && errno != EINTR)) break;
  }
  return true;
}

}  // namespace gptvault::cli::session
