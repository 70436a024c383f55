// The cryptographic primitives of the vault format, all from libsodium. This
// is the only module that includes <sodium.h>. Algorithms are fixed per
// format version (docs/FORMAT.md); nothing here is negotiable at run time.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "gptvault/crypto/secret.h"
#include "gptvault/util/bytes.h"
#include "gptvault/util/status.h"

namespace gptvault::crypto {

constexpr size_t kKeySize = 32;    // every symmetric key
constexpr size_t kHashSize = 32;   // BLAKE2b-256 output
constexpr size_t kNonceSize = 24;  // XChaCha20-Poly1305-IETF
constexpr size_t kTagSize = 16;
constexpr size_t kSealOverhead = kNonceSize + kTagSize;

using Hash = std::array<uint8_t, kHashSize>;

// Must succeed once before anything else here is used (main calls it).
Status Init();

void RandomBytes(uint8_t* out, size_t n);
Bytes RandomBytes(size_t n);

// Unkeyed BLAKE2b-256: names files after their (already encrypted) content,
// so anyone can check a file against its name without a key.
Hash PlainHash(ByteView data);

// Keyed BLAKE2b-256. Content ids use it so the host cannot confirm a guess of
// the plaintext. Streaming form for data that arrives in pieces.
class KeyedHasher {
 public:
  explicit KeyedHasher(const SecretBytes& key);
  void Update(ByteView data);
  Hash Final();

 private:
  alignas(64) uint8_t state_[384];
};
Hash KeyedHash(const SecretBytes& key, ByteView data);

// SipHash-2-4 with a 128-bit output (libsodium's crypto_shorthash_siphashx24),
// keyed with the first 16 bytes of `key`. A PRF: without the key nobody can
// make two byte strings share a fingerprint except by chance (2^-128 a pair).
// It only tells whether bytes were seen before (three times the speed of
// KeyedHash here); it never names stored content, and is kept only inside
// sealed metadata.
constexpr size_t kFingerprintSize = 16;
using Fingerprint = std::array<uint8_t, kFingerprintSize>;
Fingerprint KeyedFingerprint(const SecretBytes& key, ByteView data);

// XChaCha20-Poly1305-IETF with a fresh random nonce.
// Sealed layout: nonce(24) || ciphertext || tag(16).
Bytes Seal(const SecretBytes& key, ByteView ad, ByteView plaintext);
// Fails with kAuthFailed when the data or `ad` was altered or the key is wrong.
Result<Bytes> Open(const SecretBytes& key, ByteView ad, ByteView sealed);

// Argon2id parameters; stored in every key file so old files stay readable
// when the defaults change.
struct KdfParams {
  uint64_t opslimit = 0;
  uint64_t memlimit = 0;
  std::array<uint8_t, 16> salt{};
};
// libsodium's MODERATE limits (3 passes, 256 MiB) with a fresh random salt.
KdfParams DefaultKdfParams();
// Refuses limits below libsodium's INTERACTIVE ones (a tampered key file must
// not be able to make brute force cheap) or absurdly high ones (a tampered
// key file must not be able to exhaust memory).
Status ValidateKdfParams(const KdfParams& params);
Result<SecretBytes> DeriveKeyFromPassphrase(const SecretBytes& passphrase, const KdfParams& params);

// Purpose keys derived from the master key with crypto_kdf, context
// "gptvault". The numbering is part of the format.
enum class KeyPurpose : uint64_t {
  kObjectId = 1,     // keyed BLAKE2b of object plaintext
  kObjectSeal = 2,   // AEAD of objects, pack headers, indexes, snapshots
  kChunker = 3,      // seeds the content-defined chunker's gear table
  kConfigMac = 4,    // authenticates the vault's config file
  kFingerprint = 5,  // keyed SipHash of conversations and files (catalog)
};
SecretBytes DeriveSubkey(const SecretBytes& master, KeyPurpose purpose);

// SHA-256 and HMAC-SHA-256 (for S3 request signing).
std::array<uint8_t, 32> Sha256(ByteView data);
std::array<uint8_t, 32> HmacSha256(ByteView key, ByteView data);

}  // namespace gptvault::crypto
