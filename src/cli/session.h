// Unlocked sessions: `gptvault unlock` leaves a small background process that
// holds one vault's master key in locked memory until a deadline and hands
// it to this user's gptvault commands, so they skip the Argon2id unlock.
//
// Trust: the process listens on a Unix socket in a directory only this user
// can enter ($XDG_RUNTIME_DIR/gptvault, else /tmp/gptvault-<uid>, refused
// unless it is ours with mode 0700), and both ends check the other's uid
// (SO_PEERCRED). It is not dumpable, so other processes of the user cannot
// read its memory; it ends at its deadline or on `gptvault lock`. A client
// never trusts the key it is given: the vault's config MAC must verify
// under it, as after a passphrase. Private to the cli layer.
//
//   request := "GVS1" op:u8 (1 = key, 2 = end) vault_id:16
//   reply   := "GVS1" status:u8 (0 = ok, 1 = not this vault)
//              expires:u64le (unix seconds) [master key:32, for op 1]
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "gptvault/crypto/secret.h"
#include "gptvault/util/status.h"

namespace gptvault::cli::session {

using VaultId = std::array<uint8_t, 16>;

// Starts a session for `vault_id` holding `master` for `lifetime`, ending
// any session already running for that vault. Returns once the session is
// listening, in the parent; `master` is wiped here either way.
Status Start(const VaultId& vault_id, crypto::SecretBytes master, std::chrono::seconds lifetime);

// Whether any session of this user may be running (one has a socket in the
// session directory): a cheap local look, so commands read nothing more
// from the vault when there is none.
bool AnyMayBeRunning();

// The master key from the session for `vault_id`; nullopt when there is no
// session (or none that answers properly: the caller then asks for the
// passphrase, as without sessions).
std::optional<crypto::SecretBytes> FetchKey(const VaultId& vault_id);

// Ends the session for `vault_id`; false when none was running.
bool End(const VaultId& vault_id);

}  // namespace gptvault::cli::session
