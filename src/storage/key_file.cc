#include "gptvault/storage/key_file.h"

#include <cstring>

namespace gptvault::storage {

namespace {
constexpr char kMagic[] = "GVKEY001";
constexpr size_t kMagicSize = 8;
constexpr uint8_t kArgon2id13 = 1;
constexpr size_t kHeaderSize = kMagicSize + 1 + 8 + 8 + 16 + 8;
}  // namespace

Result<Bytes> WrapMasterKey(const crypto::SecretBytes& master,
                            const crypto::SecretBytes& passphrase, const crypto::KdfParams& kdf,
                            uint64_t created) {
  Bytes file;
  PutBytes(file, AsBytes({kMagic, kMagicSize}));
  PutU8(file, kArgon2id13);
  PutU64(file, kdf.opslimit);
  PutU64(file, kdf.memlimit);
  PutBytes(file, kdf.salt);
  PutU64(file, created);
  GV_ASSIGN_OR_RETURN(crypto::SecretBytes kek, crypto::DeriveKeyFromPassphrase(passphrase, kdf));
  PutBytes(file, crypto::Seal(kek, file, master.view()));
  return file;
}

Result<KeyFileInfo> ReadKeyFileInfo(ByteView file) {
  if (file.size() < kMagicSize || std::memcmp(file.data(), kMagic, kMagicSize) != 0) {
    return Status::Corruption("not a gptvault key file");
  }
  ByteReader r(file.subspan(kMagicSize));
  uint8_t kdf_alg = 0;
  KeyFileInfo info;
  ByteView salt;
  if (!r.U8(kdf_alg) || !r.U64(info.kdf.opslimit) || !r.U64(info.kdf.memlimit) ||
      !r.Take(16, salt) || !r.U64(info.created)) {
    return Status::Corruption("truncated key file");
  }
  if (kdf_alg != kArgon2id13) return Status::NotSupported("key file uses an unknown KDF");
  std::memcpy(info.kdf.salt.data(), salt.data(), 16);
  GV_RETURN_IF_ERROR(crypto::ValidateKdfParams(info.kdf));
  return info;
}

Result<crypto::SecretBytes> UnwrapMasterKey(ByteView file, const crypto::SecretBytes& passphrase) {
  GV_ASSIGN_OR_RETURN(KeyFileInfo info, ReadKeyFileInfo(file));
  if (file.size() != kHeaderSize + crypto::kKeySize + crypto::kSealOverhead) {
    return Status::Corruption("key file has the wrong size");
  }
  GV_ASSIGN_OR_RETURN(crypto::SecretBytes kek,
                      crypto::DeriveKeyFromPassphrase(passphrase, info.kdf));
  auto master = crypto::Open(kek, file.first(kHeaderSize), file.subspan(kHeaderSize));
  if (!master.ok()) return Status::AuthFailed("wrong passphrase");
  crypto::SecretBytes key = crypto::SecretBytes::Copy(*master);
  crypto::Wipe(master->data(), master->size());
  return key;
}

}  // namespace gptvault::storage
