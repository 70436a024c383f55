#include "gptvault/storage/config_file.h"

#include <cstring>

#include "gptvault/crypto/crypto.h"
#include "gptvault/storage/backend.h"
#include "gptvault/storage/object_codec.h"

namespace gptvault::storage {

namespace {
constexpr char kMagic[] = "GPTVAULT";
constexpr size_t kMagicSize = 8;
constexpr size_t kBodySize = kMagicSize + 4 + 16 + 12;

crypto::Hash Mac(ByteView body, const crypto::SecretBytes& master) {
  auto key = crypto::DeriveSubkey(master, crypto::KeyPurpose::kConfigMac);
  return crypto::KeyedHash(key, body);
}
}  // namespace

Bytes EncodeConfig(const VaultConfig& c, const crypto::SecretBytes& master) {
  Bytes out;
  PutBytes(out, AsBytes({kMagic, kMagicSize}));
  PutU32(out, c.format_version);
  PutBytes(out, c.vault_id);
  PutU32(out, c.chunker.min_size);
  PutU32(out, c.chunker.avg_size);
  PutU32(out, c.chunker.max_size);
  PutBytes(out, Mac(out, master));
  return out;
}

Result<VaultConfig> DecodeConfig(ByteView file) {
  if (file.size() < kMagicSize + 4 || std::memcmp(file.data(), kMagic, kMagicSize) != 0) {
    return Status::Corruption("the vault's config file is not a gptvault config");
  }
  ByteReader r(file.subspan(kMagicSize));
  VaultConfig c;
  (void)r.U32(c.format_version);
  if (c.format_version > kFormatVersion) {
    return Status::NotSupported("this vault has format version " +
                                std::to_string(c.format_version) +
                                "; this gptvault reads up to version " +
                                std::to_string(kFormatVersion) + ": upgrade gptvault");
  }
  ByteView id;
  if (file.size() != kBodySize + 32 || !r.Take(16, id) || !r.U32(c.chunker.min_size) ||
      !r.U32(c.chunker.avg_size) || !r.U32(c.chunker.max_size)) {
    return Status::Corruption("the vault's config file is damaged");
  }
  std::memcpy(c.vault_id.data(), id.data(), 16);
  const ChunkerParams& p = c.chunker;
  bool pow2 = p.avg_size != 0 && (p.avg_size & (p.avg_size - 1)) == 0;
  if (!pow2 || p.min_size < 64 || p.min_size >= p.avg_size || p.avg_size >= p.max_size ||
      p.max_size > (16u << 20)) {
    return Status::Corruption("the vault's config file has impossible chunker parameters");
  }
  return c;
}

Status VerifyConfig(ByteView file, const crypto::SecretBytes& master) {
  if (file.size() != kBodySize + 32) return Status::Corruption("the vault's config is damaged");
  crypto::Hash want = Mac(file.first(kBodySize), master);
  crypto::SecretBytes a = crypto::SecretBytes::Copy(want);
  crypto::SecretBytes b = crypto::SecretBytes::Copy(file.subspan(kBodySize));
  if (!a.Equals(b)) return Status::Corruption("the vault's config file was altered");
  return Status::Ok();
}

Result<Bytes> ReadConfigFile(Backend& backend) {
  auto config_bytes = backend.Get(kConfigFileName);
  if (config_bytes.ok()) return config_bytes;
  if (config_bytes.status().IsNotFound()) {
    // Key files without a config: a vault whose config was lost or has
    // not arrived yet, which `init` must not be invited to overwrite.
    auto keys = backend.List("keys/");
    if (keys.ok() && !keys->empty()) {
      return Status::Corruption("the vault at " + backend.Describe() +
                                " has lost its config file (still syncing, or deleted?)");
    }
    // How to create one is the caller's to say, in its own terms.
    return Status::NoVault("no vault at " + backend.Describe());
  }
  return config_bytes.status();
}

}  // namespace gptvault::storage
