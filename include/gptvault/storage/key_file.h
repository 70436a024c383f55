// Key files: the vault's random master key, wrapped under a key derived from
// one passphrase with Argon2id. One file per passphrase (keys/<16 random
// bytes, hex>), so adding or changing a passphrase never re-encrypts data.
// The Argon2id limits and salt live in the file, so files written with
// today's defaults stay readable when the defaults change.
//
//   key_file := "GVKEY001" kdf:u8 (1 = Argon2id v1.3) opslimit:u64le
//               memlimit:u64le salt:16 created:u64le (unix seconds)
//               wrapped
//   wrapped  := XChaCha20-Poly1305(key = Argon2id(passphrase),
//               ad = every byte before `wrapped`, plaintext = master key:32)
#pragma once

#include <cstdint>

#include "gptvault/crypto/crypto.h"
#include "gptvault/util/bytes.h"
#include "gptvault/util/status.h"

namespace gptvault::storage {

// Every key file has exactly this size (header, then the sealed master key).
constexpr size_t kKeyFileSize = 8 + 1 + 8 + 8 + 16 + 8 + crypto::kKeySize + crypto::kSealOverhead;

struct KeyFileInfo {
  crypto::KdfParams kdf;
  uint64_t created = 0;
};

Result<Bytes> WrapMasterKey(const crypto::SecretBytes& master,
                            const crypto::SecretBytes& passphrase, const crypto::KdfParams& kdf,
                            uint64_t created);

// Fails with kAuthFailed when the passphrase is not the one the file was
// written with, and kCorruption/kNotSupported when the file is not a key file
// this version can read.
Result<crypto::SecretBytes> UnwrapMasterKey(ByteView key_file,
                                            const crypto::SecretBytes& passphrase);

// Reads the clear header only (no passphrase needed).
Result<KeyFileInfo> ReadKeyFileInfo(ByteView key_file);

}  // namespace gptvault::storage
