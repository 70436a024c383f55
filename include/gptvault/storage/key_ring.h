// KeyRing: the vault's key files, one per passphrase (keys/<32 hex>), each
// wrapping the same master key (key_file.h). Adding or removing a passphrase
// adds or deletes one file; no data is ever re-encrypted.
//
// Safety rules: a new key file is written (durably) before anything is
// removed, and a key file is removed only while another one that was proven,
// in the same command, to unwrap the vault's master key stays. A key file the
// host planted or damaged looks usable from outside, so it never counts: no
// sequence of these calls, interrupted anywhere, leaves a vault without a
// working key.
#pragma once

#include <string>
#include <vector>

#include "gptvault/crypto/crypto.h"
#include "gptvault/storage/backend.h"
#include "gptvault/storage/key_file.h"
#include "gptvault/util/status.h"

namespace gptvault::storage {

struct KeyEntry {
  std::string id;       // the 32 hex digits of keys/<id>
  KeyFileInfo info;     // valid when `problem` is empty
  std::string problem;  // why the file cannot be used; "" for a well-formed key file
  std::string name() const { return "keys/" + id; }
};

struct UnlockedKey {
  crypto::SecretBytes master;
  std::string id;  // the key file that took the passphrase
};

class KeyRing {
 public:
  explicit KeyRing(Backend& backend) : backend_(backend) {}

  // Every key file, oldest first; names that are not key file names are
  // ignored. Reads the clear headers only: no passphrase needed.
  Result<std::vector<KeyEntry>> List();

  // Tries each key file in turn. kWrongPassphrase "wrong passphrase" when none
  // takes it (naming any key file that is damaged, since a damaged file and
  // a wrong passphrase look alike); kCorruption when there are no key files.
  Result<UnlockedKey> Unlock(const crypto::SecretBytes& passphrase);

  // Writes a new key file wrapping `master` under `passphrase`; returns its id.
  Result<std::string> Add(const crypto::SecretBytes& master, const crypto::SecretBytes& passphrase,
                          const crypto::KdfParams& kdf);

  // Which key file other than keys/<except> `passphrase` opens to exactly
  // `master` (compared in constant time). kWrongPassphrase when it opens none;
  // kInvalidArgument when it opens only a key file wrapping another master
  // key (not this vault's: planted, or copied from another vault).
  Result<std::string> Prove(const crypto::SecretBytes& passphrase,
                            const crypto::SecretBytes& master, const std::string& except);

  // A full id, or a prefix of at least kMinKeyPrefix characters matching
  // exactly one key file.
  static constexpr size_t kMinKeyPrefix = 8;
  Result<std::string> Resolve(const std::string& id_or_prefix);

  // Deletes keys/<id>, only when a key file in `proven` other than it (ids
  // that Unlock, Prove or Add returned in this command) is still there.
  // Refuses (kInvalidArgument) otherwise, saying whether no other key file
  // exists at all or none of the others is proven.
  Status Remove(const std::string& id, const std::vector<std::string>& proven);

 private:
  Backend& backend_;
};

}  // namespace gptvault::storage
