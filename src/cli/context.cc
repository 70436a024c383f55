#include "context.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ostream>

#include "gptvault/storage/checked_backend.h"
#include "gptvault/storage/config_file.h"
#include "session.h"

namespace gptvault::cli {

namespace {

constexpr size_t kMaxPassphrase = 4096;

// Reads one line from `fd` into locked memory; the newline is dropped.
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

// The passphrase in a file: its first line.
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

// Asks `question` on the controlling terminal, and `repeat` too unless it is
// null (the two answers must match). `no_terminal` is the error when there
// is no terminal to ask on.
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

}  // namespace

std::string Context::VaultLocation() const {
  if (!options_.vault.empty()) return options_.vault;
  if (const char* env = std::getenv("GPTVAULT_VAULT"); env && *env) return env;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg == '/') {
    return std::string(xdg) + "/gptvault";
  }
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.local/share/gptvault";
}

Result<crypto::SecretBytes> Context::Passphrase(bool confirm) {
  if (char* env = std::getenv("GPTVAULT_PASSPHRASE"); env != nullptr) {
    crypto::SecretBytes p = crypto::SecretBytes::Copy(AsBytes(env));
    if (p.empty()) return Status::InvalidArgument("GPTVAULT_PASSPHRASE is empty");
    return p;
  }
  if (!options_.passphrase_file.empty()) return PassphraseFromFile(options_.passphrase_file);
  return AskOnTerminal(confirm ? "New vault passphrase: " : "Vault passphrase: ",
                       confirm ? "Repeat the passphrase: " : nullptr,
                       "no passphrase: set GPTVAULT_PASSPHRASE, use --passphrase-file, or run on "
                       "a terminal");
}

Result<crypto::SecretBytes> Context::NewPassphrase(const std::string& file) {
  if (char* env = std::getenv("GPTVAULT_NEW_PASSPHRASE"); env != nullptr) {
    crypto::SecretBytes p = crypto::SecretBytes::Copy(AsBytes(env));
    if (p.empty()) return Status::InvalidArgument("GPTVAULT_NEW_PASSPHRASE is empty");
    return p;
  }
  if (!file.empty()) return PassphraseFromFile(file);
  return AskOnTerminal("New passphrase: ", "Repeat the new passphrase: ",
                       "no new passphrase: set GPTVAULT_NEW_PASSPHRASE, use "
                       "--new-passphrase-file, or run on a terminal");
}

Result<crypto::SecretBytes> Context::OtherPassphrase(const std::string& file,
                                                     const std::string& why) {
  if (char* env = std::getenv("GPTVAULT_OTHER_PASSPHRASE"); env != nullptr) {
    crypto::SecretBytes p = crypto::SecretBytes::Copy(AsBytes(env));
    if (p.empty()) return Status::InvalidArgument("GPTVAULT_OTHER_PASSPHRASE is empty");
    return p;
  }
  if (!file.empty()) return PassphraseFromFile(file);
  const std::string no_terminal = why +
                                  ": give the passphrase of a key that stays "
                                  "(GPTVAULT_OTHER_PASSPHRASE, --other-passphrase-file, or run on "
                                  "a terminal)";
  return AskOnTerminal("Passphrase of a key that stays: ", nullptr, no_terminal.c_str());
}

std::string Context::StateDir() const {
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg == '/') {
    return std::string(xdg) + "/gptvault";
  }
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.local/state/gptvault";
}

Result<std::unique_ptr<storage::Backend>> Context::OpenBackend() {
  GV_ASSIGN_OR_RETURN(auto backend, storage::OpenBackend(VaultLocation()));
  return storage::NewCheckedBackend(std::move(backend));
}

storage::LockOptions Context::LockOptions() const {
  storage::LockOptions lock;
  lock.wait = std::chrono::milliseconds(static_cast<int64_t>(options_.lock_wait * 1000));
  return lock;
}

Result<std::unique_ptr<storage::VaultLock>> Context::LockForKeyChange(
    storage::Backend& backend, const crypto::SecretBytes& master) {
  return storage::VaultLock::AcquireWithMasterKey(backend, master, LockOptions());
}

Result<storage::VaultConfig> Context::ReadConfig(storage::Backend& backend) {
  GV_ASSIGN_OR_RETURN(Bytes bytes, storage::ReadConfigFile(backend));
  return storage::DecodeConfig(bytes);
}

Result<std::unique_ptr<vault::Vault>> Context::OpenVault() {
  GV_ASSIGN_OR_RETURN(auto backend, storage::OpenBackend(VaultLocation()));
  vault::OpenOptions options;
  options.state_dir = StateDir();
  options.accept_rollback = options_.accept_rollback;
  options.lock = LockOptions();
  // An unlocked session spares the passphrase and the Argon2id; its key is
  // trusted no more than a passphrase (the config's MAC must verify). The
  // config is read for the vault's id only when some session is running.
  if (session::AnyMayBeRunning()) {
    if (auto config = ReadConfig(*backend); config.ok()) {
      if (auto master = session::FetchKey(config->vault_id)) {
        return vault::Vault::OpenWithMasterKey(std::move(backend), *master, options);
      }
    }
  }
  GV_ASSIGN_OR_RETURN(crypto::SecretBytes passphrase, Passphrase(false));
  return vault::Vault::Open(std::move(backend), passphrase, options);
}

int Context::Fail(const Status& status) {
  err_ << "gptvault: " << status.message() << "\n";
  return kExitFailure;
}

}  // namespace gptvault::cli
