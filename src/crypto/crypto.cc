#include "gptvault/crypto/crypto.h"

#include <sodium.h>

#include <cstring>

namespace gptvault::crypto {

static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == kNonceSize);
static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == kTagSize);
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == kKeySize);
static_assert(crypto_kdf_KEYBYTES == kKeySize);
static_assert(sizeof(crypto_generichash_state) <= 384);
static_assert(crypto_pwhash_SALTBYTES == 16);

namespace {
// crypto_kdf contexts are exactly 8 bytes; this one is part of the format.
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "gptvault";
// Ceiling on a key file's memlimit: a tampered file must not exhaust memory.
constexpr uint64_t kMaxMemlimit = 4ull << 30;
constexpr uint64_t kMaxOpslimit = 64;
}  // namespace

Status Init() {
  if (sodium_init() < 0) return Status::IOError("libsodium failed to initialise");
  return Status::Ok();
}

void RandomBytes(uint8_t* out, size_t n) {
  if (n > 0) randombytes_buf(out, n);
}

Bytes RandomBytes(size_t n) {
  Bytes b(n);
  RandomBytes(b.data(), n);
  return b;
}

Hash PlainHash(ByteView data) {
  Hash h;
  crypto_generichash(h.data(), h.size(), data.data(), data.size(), nullptr, 0);
  return h;
}

KeyedHasher::KeyedHasher(const SecretBytes& key) {
  crypto_generichash_init(reinterpret_cast<crypto_generichash_state*>(state_), key.data(),
                          key.size(), kHashSize);
}

void KeyedHasher::Update(ByteView data) {
  crypto_generichash_update(reinterpret_cast<crypto_generichash_state*>(state_), data.data(),
                            data.size());
}

Hash KeyedHasher::Final() {
  Hash h;
  crypto_generichash_final(reinterpret_cast<crypto_generichash_state*>(state_), h.data(), h.size());
  sodium_memzero(state_, sizeof state_);
  return h;
}

Hash KeyedHash(const SecretBytes& key, ByteView data) {
  Hash h;
  crypto_generichash(h.data(), h.size(), data.data(), data.size(), key.data(), key.size());
  return h;
}

Fingerprint KeyedFingerprint(const SecretBytes& key, ByteView data) {
  static_assert(crypto_shorthash_siphashx24_BYTES == kFingerprintSize);
  static_assert(crypto_shorthash_siphashx24_KEYBYTES <= kKeySize);
  Fingerprint f;
  crypto_shorthash_siphashx24(f.data(), data.data(), data.size(), key.data());
  return f;
}

Bytes Seal(const SecretBytes& key, ByteView ad, ByteView plaintext) {
  Bytes out(kNonceSize + plaintext.size() + kTagSize);
  randombytes_buf(out.data(), kNonceSize);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + kNonceSize, &clen, plaintext.data(),
                                             plaintext.size(), ad.data(), ad.size(), nullptr,
                                             out.data(), key.data());
  return out;
}

Result<Bytes> Open(const SecretBytes& key, ByteView ad, ByteView sealed) {
  if (sealed.size() < kSealOverhead) return Status::AuthFailed("ciphertext too short");
  Bytes out(sealed.size() - kSealOverhead);
  unsigned long long mlen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          out.data(), &mlen, nullptr, sealed.data() + kNonceSize, sealed.size() - kNonceSize,
          ad.data(), ad.size(), sealed.data(), key.data()) != 0) {
    return Status::AuthFailed("authentication failed");
  }
  return out;
}

KdfParams DefaultKdfParams() {
  KdfParams p;
  p.opslimit = crypto_pwhash_OPSLIMIT_MODERATE;
  p.memlimit = crypto_pwhash_MEMLIMIT_MODERATE;
  randombytes_buf(p.salt.data(), p.salt.size());
  return p;
}

Status ValidateKdfParams(const KdfParams& p) {
  if (p.opslimit < crypto_pwhash_OPSLIMIT_INTERACTIVE ||
      p.memlimit < crypto_pwhash_MEMLIMIT_INTERACTIVE) {
    return Status::Corruption("key file asks for Argon2id limits below the safe minimum");
  }
  if (p.opslimit > kMaxOpslimit || p.memlimit > kMaxMemlimit) {
    return Status::Corruption("key file asks for implausibly large Argon2id limits");
  }
  return Status::Ok();
}

Result<SecretBytes> DeriveKeyFromPassphrase(const SecretBytes& passphrase,
                                            const KdfParams& params) {
  GV_RETURN_IF_ERROR(ValidateKdfParams(params));
  SecretBytes key(kKeySize);
  if (crypto_pwhash(key.data(), key.size(), passphrase.chars().data(), passphrase.size(),
                    params.salt.data(), params.opslimit, static_cast<size_t>(params.memlimit),
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::IOError("not enough memory for the passphrase key derivation");
  }
  return key;
}

SecretBytes DeriveSubkey(const SecretBytes& master, KeyPurpose purpose) {
  SecretBytes sub(kKeySize);
  crypto_kdf_derive_from_key(sub.data(), sub.size(), static_cast<uint64_t>(purpose), kKdfContext,
                             master.data());
  return sub;
}

std::array<uint8_t, 32> Sha256(ByteView data) {
  std::array<uint8_t, 32> h;
  crypto_hash_sha256(h.data(), data.data(), data.size());
  return h;
}

std::array<uint8_t, 32> HmacSha256(ByteView key, ByteView data) {
  std::array<uint8_t, 32> h;
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, key.data(), key.size());
  crypto_auth_hmacsha256_update(&st, data.data(), data.size());
  crypto_auth_hmacsha256_final(&st, h.data());
  sodium_memzero(&st, sizeof st);
  return h;
}

}  // namespace gptvault::crypto
