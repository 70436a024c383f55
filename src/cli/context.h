// What every subcommand gets: the global options, the output streams, and
// the means to reach the vault. Private to the cli layer.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

#include "gptvault/crypto/secret.h"
#include "gptvault/storage/config_file.h"
#include "gptvault/storage/lock.h"
#include "gptvault/util/status.h"
#include "gptvault/vault/vault.h"

namespace CLI {
class App;
}

namespace gptvault::cli {

// restic's codes (README, "Exit codes"); scripts rely on them.
enum ExitCode {
  kExitOk = 0,
  kExitFailure = 1,
  kExitUsage = 2,
  kExitRefused = 3,  // an archive given to add failed verification
  kExitNoVault = 10,
  kExitLocked = 11,
  kExitWrongPassphrase = 12,
  kExitInterrupted = 130,
};

// The exit code a failure with `status` ends the command with.
int ExitCodeFor(const Status& status);

struct GlobalOptions {
  std::string vault;               // --vault; empty: GPTVAULT_VAULT, then the XDG default
  std::string passphrase_file;     // --passphrase-file
  std::string passphrase_command;  // --passphrase-command (never with --passphrase-file)
  bool accept_rollback = false;    // --accept-rollback
  double lock_wait = 60;           // --lock-wait SECONDS
};

class Context {
 public:
  Context(GlobalOptions& options, std::ostream& out, std::ostream& err)
      : options_(options), out_(out), err_(err) {}

  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }

  // The vault location from --vault, GPTVAULT_VAULT or
  // $XDG_DATA_HOME/gptvault (~/.local/share/gptvault).
  std::string VaultLocation() const;
  // The passphrase from the first source there is, in this order:
  // --passphrase-file or --passphrase-command (an explicit flag always
  // wins), $GPTVAULT_PASSPHRASE_COMMAND, $GPTVAULT_PASSPHRASE_FILE,
  // $GPTVAULT_PASSPHRASE, else a no-echo prompt on the terminal (asked
  // twice when `confirm`). A source that is there but fails (a command that
  // exits non-zero, a variable set but empty) is the error: the next source
  // is not tried, so a mistake never falls through to another passphrase.
  Result<crypto::SecretBytes> Passphrase(bool confirm);
  // A new passphrase (key add, passwd) from GPTVAULT_NEW_PASSPHRASE, `file`
  // (--new-passphrase-file), or a no-echo prompt asked twice.
  Result<crypto::SecretBytes> NewPassphrase(const std::string& file);
  // The passphrase of a second key (key remove of the key the command was
  // opened with) from GPTVAULT_OTHER_PASSPHRASE, `file`
  // (--other-passphrase-file), or a no-echo prompt; `why` opens the error
  // when there is none of the three.
  Result<crypto::SecretBytes> OtherPassphrase(const std::string& file, const std::string& why);
  // Where this machine remembers the newest snapshot of each vault:
  // $XDG_STATE_HOME/gptvault (~/.local/state/gptvault).
  std::string StateDir() const;
  // The vault's backend, for commands that need no more (key management).
  // Fails "no vault at ..." (see ConfigFile) when there is no vault there,
  // so that is said before any passphrase is asked for.
  Result<std::unique_ptr<storage::Backend>> OpenBackend();
  // The vault's writer lock on a backend from OpenBackend, for key changes:
  // waits up to --lock-wait for another writer, like add.
  Result<std::unique_ptr<storage::VaultLock>> LockForKeyChange(storage::Backend& backend,
                                                               const crypto::SecretBytes& master);
  // The bytes of the vault's config file, read without a key. When there
  // is no vault, the error says how to create one at the same location:
  // "no vault at X: create one with gptvault init --vault X" (the
  // --vault as typed; plain `gptvault init` when the location came from
  // $GPTVAULT_VAULT or the default).
  Result<Bytes> ConfigFile(storage::Backend& backend);
  // The vault's config, read without a key (for its id).
  Result<storage::VaultConfig> ReadConfig(storage::Backend& backend);
  // The vault, unlocked by this user's session for it (`gptvault unlock`)
  // when one is running, else by the passphrase. The config is read first:
  // a missing vault fails before any passphrase source is consulted.
  Result<std::unique_ptr<vault::Vault>> OpenVault();
  const GlobalOptions& options() const { return options_; }

  // Prints "gptvault: <message>" on stderr and returns ExitCodeFor(status).
  int Fail(const Status& status);

 private:
  storage::LockOptions LockOptions() const;

  GlobalOptions& options_;
  std::ostream& out_;
  std::ostream& err_;
};

// One subcommand: `setup` declares its options on its CLI11 subcommand and
// returns the function that runs it once parsing succeeded.
struct Command {
  const char* name;
  const char* help;
  std::function<std::function<int(Context&)>(CLI::App&)> setup;
};

Command InitCommand();
Command AddCommand();
Command ListCommand();
Command LogCommand();
Command HistoryCommand();
Command StatsCommand();
Command RestoreCommand();
Command CheckCommand();
Command VerifyCommand();
Command KeyCommand();
Command PasswdCommand();
Command RepairCommand();
Command UnlockCommand();
Command LockCommand();
Command DiffCommand();
Command PruneCommand();
Command ForgetCommand();
Command PurgeCommand();

}  // namespace gptvault::cli
