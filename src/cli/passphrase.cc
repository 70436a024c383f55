#include "passphrase.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace gptvault::cli {

namespace {

constexpr size_t kMaxPassphrase = 4096;

// Asks on the controlling terminal with echo off, restoring the terminal
// whatever happens.
Result<crypto::SecretBytes> Prompt(int tty, const char* question) {
  (void)!::write(tty, question, std::strlen(question));
  termios old{};
  bool restore = ::tcgetattr(tty, &old) == 0;
  if (restore) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    ::tcsetattr(tty, TCSAFLUSH, &quiet);
  }
  auto line = ReadSecretLine(tty, "the terminal");
  if (restore) ::tcsetattr(tty, TCSAFLUSH, &old);
  return line;
}

}  // namespace

Result<crypto::SecretBytes> ReadSecretLine(int fd, const std::string& what) {
  crypto::SecretBytes buf(kMaxPassphrase);
  size_t len = 0;
  for (;;) {
    char c;
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IOError("cannot read the passphrase from " + what);
    if (n == 0 || c == '\n') break;
    if (len == kMaxPassphrase) return Status::InvalidArgument("the passphrase is too long");
    buf.data()[len++] = static_cast<uint8_t>(c);
    crypto::Wipe(&c, 1);
  }
  if (len > 0 && buf.data()[len - 1] == '\r') --len;
  crypto::SecretBytes out = crypto::SecretBytes::Copy(ByteView(buf.data(), len));
  return out;
}

Result<std::optional<crypto::SecretBytes>> PassphraseFromEnv(const char* name) {
  const char* env = std::getenv(name);
  if (env == nullptr) return std::optional<crypto::SecretBytes>();
  if (*env == '\0') return Status::InvalidArgument(std::string(name) + " is empty");
  return std::optional<crypto::SecretBytes>(crypto::SecretBytes::Copy(AsBytes(env)));
}

Result<crypto::SecretBytes> PassphraseFromFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Status::InvalidArgument("cannot open passphrase file " + path + ": " +
                                   std::strerror(errno));
  }
  auto p = ReadSecretLine(fd, path);
  ::close(fd);
  if (p.ok() && p->empty()) return Status::InvalidArgument("passphrase file " + path + " is empty");
  return p;
}

Result<crypto::SecretBytes> AskOnTerminal(const char* question, const char* repeat,
                                          const char* no_terminal) {
  int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (tty < 0) return Status::InvalidArgument(no_terminal);
  auto first = Prompt(tty, question);
  if (first.ok() && first->empty()) first = Status::InvalidArgument("empty passphrase");
  if (first.ok() && repeat != nullptr) {
    auto second = Prompt(tty, repeat);
    if (!second.ok()) {
      first = second.status();
    } else if (!first->Equals(*second)) {
      first = Status::InvalidArgument("the two passphrases differ");
    }
  }
  ::close(tty);
  return first;
}

}  // namespace gptvault::cli
