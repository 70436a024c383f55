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
    Status s = ring.Remove(only[0]);
    CHECK(s.code() == Status::Code::kInvalidArgument);
    CHECK(s.message().find("last usable key") != std::string::npos);

    // A damaged second key file does not count as a working one.
    auto unlocked = ring.Unlock(Pass("one"));
    auto second = ring.Add(unlocked->master, Pass("two"), FastKdf());
    REQUIRE(second.ok());
    mem.files()["keys/" + *second].resize(30);
    CHECK(ring.Remove(only[0]).code() == Status::Code::kInvalidArgument);
    CHECK(ring.Remove(*second).ok());
    CHECK(KeyIds(mem) == only);
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
    CHECK(refused.status().code() == Status::Code::kAuthFailed);
    CHECK(refused.status().message().find("keys/" + first) != std::string::npos);
  }

  TEST_CASE("names that are not key file names are ignored, and ids resolve by unique prefix") {
    MemBackend mem;
    REQUIRE(Repository::Init(mem, Pass("one"), FastKdf()).ok());
    auto ids = KeyIds(mem);
    mem.files()["keys/" + ids[0] + " (conflicted copy)"] = mem.files()["keys/" + ids[0]];
    KeyRing ring(mem);
    CHECK(KeyIds(mem).size() == 1);
    CHECK(*ring.Resolve(ids[0].substr(0, 5)) == ids[0]);
    CHECK(ring.Resolve("zzzz").status().IsNotFound());
  }
}
