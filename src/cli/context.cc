#include "context.h"

#include <cstdlib>
#include <ostream>

#include "gptvault/storage/checked_backend.h"
#include "gptvault/storage/config_file.h"
#include "passphrase.h"
#include "session.h"
#include "text.h"

namespace gptvault::cli {

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
  if (!options_.passphrase_file.empty()) return PassphraseFromFile(options_.passphrase_file);
  if (!options_.passphrase_command.empty()) {
    return PassphraseFromCommand(options_.passphrase_command, "the passphrase command");
  }
  if (const char* command = std::getenv("GPTVAULT_PASSPHRASE_COMMAND"); command != nullptr) {
    if (*command == '\0') return Status::InvalidArgument("GPTVAULT_PASSPHRASE_COMMAND is empty");
    return PassphraseFromCommand(command, "the passphrase command in GPTVAULT_PASSPHRASE_COMMAND");
  }
  if (const char* file = std::getenv("GPTVAULT_PASSPHRASE_FILE"); file != nullptr) {
    if (*file == '\0') return Status::InvalidArgument("GPTVAULT_PASSPHRASE_FILE is empty");
    return PassphraseFromFile(file);
  }
  GV_ASSIGN_OR_RETURN(auto env, PassphraseFromEnv("GPTVAULT_PASSPHRASE"));
  if (env) return std::move(*env);
  return AskOnTerminal(confirm ? "New vault passphrase: " : "Vault passphrase: ",
                       confirm ? "Repeat the passphrase: " : nullptr,
                       "no passphrase: use --passphrase-file or --passphrase-command, set "
                       "GPTVAULT_PASSPHRASE (or its _FILE or _COMMAND), or run on a terminal");
}

Result<crypto::SecretBytes> Context::NewPassphrase(const std::string& file) {
  GV_ASSIGN_OR_RETURN(auto env, PassphraseFromEnv("GPTVAULT_NEW_PASSPHRASE"));
  if (env) return std::move(*env);
  if (!file.empty()) return PassphraseFromFile(file);
  return AskOnTerminal("New passphrase: ", "Repeat the new passphrase: ",
                       "no new passphrase: set GPTVAULT_NEW_PASSPHRASE, use "
                       "--new-passphrase-file, or run on a terminal");
}

Result<crypto::SecretBytes> Context::OtherPassphrase(const std::string& file,
                                                     const std::string& why) {
  GV_ASSIGN_OR_RETURN(auto env, PassphraseFromEnv("GPTVAULT_OTHER_PASSPHRASE"));
  if (env) return std::move(*env);
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
  // Only a vault that is not there at all stops here; any other trouble
  // with the config (lost, still syncing) is left to the command, as key
  // management needs no config.
  if (auto config = ConfigFile(*backend);
      !config.ok() && config.status().code() == Status::Code::kNoVault) {
    return config.status();
  }
  return storage::NewCheckedBackend(std::move(backend));
}

storage::LockOptions Context::LockOptions() const {
  storage::LockOptions lock;
  lock.wait = std::chrono::milliseconds(static_cast<int64_t>(options_.lock_wait * 1000));
  lock.on_wait = [this](const std::string& message) { err_ << "gptvault: " << message << "\n"; };
  return lock;
}

Result<std::unique_ptr<storage::VaultLock>> Context::LockForKeyChange(
    storage::Backend& backend, const crypto::SecretBytes& master) {
  return storage::VaultLock::AcquireWithMasterKey(backend, master, LockOptions());
}

Result<Bytes> Context::ConfigFile(storage::Backend& backend) {
  auto bytes = storage::ReadConfigFile(backend);
  if (!bytes.ok() && bytes.status().code() == Status::Code::kNoVault) {
    std::string init = "gptvault init";
    if (!options_.vault.empty()) init += " --vault " + ShellWord(options_.vault);
    return Status::NoVault(bytes.status().message() + ": create one with " + init);
  }
  return bytes;
}

Result<storage::VaultConfig> Context::ReadConfig(storage::Backend& backend) {
  GV_ASSIGN_OR_RETURN(Bytes bytes, ConfigFile(backend));
  return storage::DecodeConfig(bytes);
}

Result<std::unique_ptr<vault::Vault>> Context::OpenVault() {
  GV_ASSIGN_OR_RETURN(auto backend, storage::OpenBackend(VaultLocation()));
  // The config before anything else: a vault that is not there is said
  // before a passphrase is asked for or a passphrase command is run.
  // Vault::Open reads it again; it is one small file.
  GV_ASSIGN_OR_RETURN(Bytes config_bytes, ConfigFile(*backend));
  vault::OpenOptions options;
  options.state_dir = StateDir();
  options.accept_rollback = options_.accept_rollback;
  options.lock = LockOptions();
  // An unlocked session spares the passphrase and the Argon2id; its key is
  // trusted no more than a passphrase (the config's MAC must verify).
  if (session::AnyMayBeRunning()) {
    if (auto config = storage::DecodeConfig(config_bytes); config.ok()) {
      if (auto master = session::FetchKey(config->vault_id)) {
        return vault::Vault::OpenWithMasterKey(std::move(backend), *master, options);
      }
    }
  }
  GV_ASSIGN_OR_RETURN(crypto::SecretBytes passphrase, Passphrase(false));
  return vault::Vault::Open(std::move(backend), passphrase, options);
}

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case Status::Code::kOk:
      return kExitOk;
    case Status::Code::kNoVault:
      return kExitNoVault;
    case Status::Code::kLocked:
      return kExitLocked;
    case Status::Code::kWrongPassphrase:
      return kExitWrongPassphrase;
    case Status::Code::kRefused:
      return kExitRefused;
    case Status::Code::kCancelled:
      return kExitInterrupted;
    default:
      return kExitFailure;
  }
}

int Context::Fail(const Status& status) {
  err_ << "gptvault: " << status.message() << "\n";
  return ExitCodeFor(status);
}

}  // namespace gptvault::cli
