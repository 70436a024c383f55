#include <doctest/doctest.h>

#include "gptvault/storage/key_ring.h"
#include "test_vaults.h"

using namespace gptvault;
using namespace gptvault::storage;
using namespace gptvault::testing;

namespace {

std::vector<std::string> KeyIds(MemBackend& mem) {
  auto keys = KeyRing(mem).List();
  REQUIRE(keys.ok());
  std::vector<std::string> ids;
  for (const KeyEntry& k : *keys) ids.push_back(k.id);
  return ids;
}

}  // namespace

TEST_SUITE("storage::KeyRing") {
  TEST_CASE("a second passphrase opens the same vault and neither re-encrypts anything") {
    MemBackend mem;
    REQUIRE(Repository::Init(mem, Pass("one"), FastKdf()).ok());
    auto before = mem.files();
    KeyRing ring(mem);
    auto first = ring.Unlock(Pass("one"));
    REQUIRE(first.ok());
    auto added = ring.Add(first->master, Pass("two"), FastKdf());
    REQUIRE(added.ok());
    CHECK(mem.files().size() == before.size() + 1);  // one key file more, nothing else touched
    auto second = ring.Unlock(Pass("two"));
    REQUIRE(second.ok());
    CHECK(second->id == *added);
    CHECK(second->master.Equals(first->master));
    auto keys = ring.List();
    REQUIRE(keys.ok());
    REQUIRE(keys->size() == 2);
    for (const KeyEntry& k : *keys) {
      CHECK(k.problem.empty());
      CHECK(k.info.kdf.opslimit == 2);
      CHECK(k.info.kdf.memlimit == (64u << 20));
    }
  }

  TEST_CASE("the last usable key file is never removed") {
    MemBackend mem;
    REQUIRE(Repository::Init(mem, Pass("one"), FastKdf()).ok());
    KeyRing ring(mem);
    auto only = KeyIds(mem);
    REQUIRE(only.size() == 1);
    Status s = ring.Remove(only[0], only);
    CHECK(s.code() == Status::Code::kInvalidArgument);
    CHECK(s.message().find("last usable key") != std::string::npos);

    // A damaged second key file does not count as a working one.
    auto unlocked = ring.Unlock(Pass("one"));
    auto second = ring.Add(unlocked->master, Pass("two"), FastKdf());
    REQUIRE(second.ok());
    mem.files()["keys/" + *second].resize(30);
    CHECK(ring.Remove(only[0], {only[0], *second}).code() == Status::Code::kInvalidArgument);
    CHECK(ring.Remove(*second, only).ok());
    CHECK(KeyIds(mem) == only);
  }

  TEST_CASE("a well-formed key file planted from another vault never counts as a key that stays") {
    MemBackend mem, other;
    REQUIRE(Repository::Init(mem, Pass("one"), FastKdf()).ok());
    REQUIRE(Repository::Init(other, Pass("theirs"), FastKdf()).ok());
    const std::string planted = KeyIds(other)[0];
    mem.files()["keys/" + planted] = other.files()["keys/" + planted];
    KeyRing ring(mem);
    auto unlocked = ring.Unlock(Pass("one"));
    REQUIRE(unlocked.ok());

    // Opened with "one", proven only by it: removing it is refused.
    Status s = ring.Remove(unlocked->id, {unlocked->id});
    CHECK(s.code() == Status::Code::kInvalidArgument);
    CHECK(s.message().find("no other key is proven") != std::string::npos);
    // The planted key's passphrase proves nothing about this vault's master key.
    auto proof = ring.Prove(Pass("theirs"), unlocked->master, unlocked->id);
    CHECK(proof.status().code() == Status::Code::kInvalidArgument);
    CHECK(proof.status().message().find("different master key") != std::string::npos);
    CHECK(ring.Prove(Pass("wrong"), unlocked->master, unlocked->id).status().code() ==
          Status::Code::kWrongPassphrase);
    // Nor does the passphrase of the key being removed.
    CHECK(ring.Prove(Pass("one"), unlocked->master, unlocked->id).status().code() ==
          Status::Code::kWrongPassphrase);

    // A real second key proves itself, and then the first may go.
    auto second = ring.Add(unlocked->master, Pass("two"), FastKdf());
    REQUIRE(second.ok());
    auto stays = ring.Prove(Pass("two"), unlocked->master, unlocked->id);
    REQUIRE(stays.ok());
    CHECK(*stays == *second);
    CHECK(ring.Remove(unlocked->id, {*stays}).ok());
    CHECK(ring.Unlock(Pass("two")).ok());
    // The planted one, never proven, is removable while the proven one stays.
    CHECK(ring.Remove(planted, {*second}).ok());
    CHECK(KeyIds(mem) == std::vector<std::string>{*second});
  }

  TEST_CASE("a damaged key file is named, and does not stop another key from opening the vault") {
    MemBackend mem;
    REQUIRE(Repository::Init(mem, Pass("one"), FastKdf()).ok());
    KeyRing ring(mem);
    auto unlocked = ring.Unlock(Pass("one"));
    std::string first = unlocked->id;
    REQUIRE(ring.Add(unlocked->master, Pass("two"), FastKdf()).ok());
    mem.files()["keys/" + first].resize(40);  // truncated

    auto keys = ring.List();
    REQUIRE(keys.ok());
    size_t damaged = 0;
    for (const KeyEntry& k : *keys) damaged += !k.problem.empty();
    CHECK(damaged == 1);
    CHECK(ring.Unlock(Pass("two")).ok());
    auto refused = ring.Unlock(Pass("one"));
    CHECK(refused.status().code() == Status::Code::kWrongPassphrase);
    CHECK(refused.status().message().find("keys/" + first) != std::string::npos);
  }

  TEST_CASE(
      "names that are not key file names are ignored, and ids resolve by a unique prefix of 8 or "
      "more") {
    MemBackend mem;
    REQUIRE(Repository::Init(mem, Pass("one"), FastKdf()).ok());
    auto ids = KeyIds(mem);
    mem.files()["keys/" + ids[0] + " (conflicted copy)"] = mem.files()["keys/" + ids[0]];
    KeyRing ring(mem);
    CHECK(KeyIds(mem).size() == 1);
    CHECK(*ring.Resolve(ids[0].substr(0, 8)) == ids[0]);
    CHECK(ring.Resolve(ids[0].substr(0, 7)).status().code() == Status::Code::kInvalidArgument);
    CHECK(ring.Resolve("zzzzzzzz").status().IsNotFound());
  }
}
