// The vault's config: the one file read before the passphrase, so it holds
// only what is needed to open the vault and nothing about its content. Its
// MAC, under a key derived from the master key, is checked right after the
// vault is unlocked, so a host cannot change the chunker parameters unseen.
//
//   config := "GPTVAULT" format_version:u32le vault_id:16
//             chunk_min:u32le chunk_avg:u32le chunk_max:u32le
//             mac:32 (keyed BLAKE2b-256 of every byte before it,
//                     key = crypto_kdf(master, purpose 4))
#pragma once

#include <array>
#include <cstdint>

#include "gptvault/crypto/secret.h"
#include "gptvault/storage/chunker.h"
#include "gptvault/util/bytes.h"
#include "gptvault/util/status.h"

namespace gptvault::storage {

class Backend;

// The config's name in the backend.
constexpr char kConfigFileName[] = "config";

struct VaultConfig {
  uint32_t format_version = 0;
  std::array<uint8_t, 16> vault_id{};
  ChunkerParams chunker;
};

Bytes EncodeConfig(const VaultConfig& config, const crypto::SecretBytes& master);
// The bytes of the vault's config file; kNotFound "no vault at ..." when
// there is none (kCorruption when key files say there should be one).
Result<Bytes> ReadConfigFile(Backend& backend);
// Parses without the key: fails kNotSupported for a newer format version.
Result<VaultConfig> DecodeConfig(ByteView file);
// Checks the MAC once the master key is known.
Status VerifyConfig(ByteView file, const crypto::SecretBytes& master);

}  // namespace gptvault::storage
