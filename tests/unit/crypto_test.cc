#include "gptvault/crypto/crypto.h"

#include <doctest/doctest.h>

using namespace gptvault;
using namespace gptvault::crypto;

TEST_SUITE("crypto") {
  TEST_CASE("a sealed message opens with the same key and associated data") {
    auto key = SecretBytes::Random(kKeySize);
    Bytes sealed = Seal(key, AsBytes("ad"), AsBytes("hello"));
    CHECK(sealed.size() == 5 + kSealOverhead);
    auto opened = Open(key, AsBytes("ad"), sealed);
    REQUIRE(opened.ok());
    CHECK(AsChars(*opened) == "hello");
  }

  TEST_CASE("a flipped bit, other associated data or another key fail to open") {
    auto key = SecretBytes::Random(kKeySize);
    Bytes sealed = Seal(key, AsBytes("ad"), AsBytes("hello"));
    Bytes flipped = sealed;
    flipped[kNonceSize + 1] ^= 1;
    CHECK(Open(key, AsBytes("ad"), flipped).status().code() == Status::Code::kAuthFailed);
    CHECK(!Open(key, AsBytes("AD"), sealed).ok());
    CHECK(!Open(SecretBytes::Random(kKeySize), AsBytes("ad"), sealed).ok());
    CHECK(!Open(key, AsBytes("ad"), ByteView(sealed).first(10)).ok());
  }

  TEST_CASE("two seals of one message differ, because each has a fresh nonce") {
    auto key = SecretBytes::Random(kKeySize);
    CHECK(Seal(key, {}, AsBytes("x")) != Seal(key, {}, AsBytes("x")));
  }

  TEST_CASE("keyed hashes depend on the key and stream like the one-shot form") {
    auto k1 = SecretBytes::Random(kKeySize), k2 = SecretBytes::Random(kKeySize);
    CHECK(KeyedHash(k1, AsBytes("abc")) != KeyedHash(k2, AsBytes("abc")));
    CHECK(KeyedHash(k1, AsBytes("abc")) != PlainHash(AsBytes("abc")));
    KeyedHasher h(k1);
    h.Update(AsBytes("a"));
    h.Update(AsBytes("bc"));
    CHECK(h.Final() == KeyedHash(k1, AsBytes("abc")));
  }

  TEST_CASE("fingerprints are SipHash-2-4-128 keyed with the key's first 16 bytes") {
    // The reference implementation's vectors_sip128[0]: key 00..0f, empty message.
    Bytes key_bytes(kKeySize, 0xee);
    for (uint8_t i = 0; i < 16; ++i) key_bytes[i] = i;
    auto key = SecretBytes::Copy(key_bytes);
    CHECK(ToHex(KeyedFingerprint(key, {})) == "a3817f04ba25a8e66df67214c7550293");
    auto other = SecretBytes::Random(kKeySize);
    CHECK(KeyedFingerprint(key, AsBytes("abc")) != KeyedFingerprint(other, AsBytes("abc")));
    CHECK(KeyedFingerprint(key, AsBytes("abc")) != KeyedFingerprint(key, AsBytes("abd")));
  }

  TEST_CASE("subkeys differ by purpose and are stable for one master key") {
    auto master = SecretBytes::Random(kKeySize);
    auto a = DeriveSubkey(master, KeyPurpose::kObjectId);
    auto b = DeriveSubkey(master, KeyPurpose::kObjectSeal);
    CHECK(!a.Equals(b));
    CHECK(a.Equals(DeriveSubkey(master, KeyPurpose::kObjectId)));
  }

  TEST_CASE("key file limits below the interactive minimum are refused") {
    KdfParams p = DefaultKdfParams();
    CHECK(ValidateKdfParams(p).ok());
    p.opslimit = 1;
    CHECK(!ValidateKdfParams(p).ok());
    p = DefaultKdfParams();
    p.memlimit = uint64_t{1} << 40;
    CHECK(!ValidateKdfParams(p).ok());
  }

  TEST_CASE("SHA-256 and HMAC-SHA-256 match the published test vectors") {
    CHECK(ToHex(Sha256(AsBytes("abc"))) ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // RFC 4231 test case 2.
    CHECK(ToHex(HmacSha256(AsBytes("Jefe"), AsBytes("what do ya want for nothing?"))) ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }
}
