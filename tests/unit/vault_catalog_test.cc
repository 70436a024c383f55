// The catalog's encoding, and how an add reads a catalog written before one
// of its fields existed.
#include <doctest/doctest.h>

#include "gptvault/vault/catalog.h"
#include "gptvault/vault/snapshot.h"
#include "test_vaults.h"

using namespace gptvault;
using namespace gptvault::testing;
using vault::Catalog;
using vault::ConversationRecord;
using vault::ConversationVersion;

namespace {

Catalog CatalogOf(vault::Vault& v, const vault::Snapshot& s) {
  std::string text;
  for (const storage::ObjectId& id : s.catalog.chunks) {
    auto chunk = v.repository().Get(storage::ObjectType::kTree, id);
    REQUIRE(chunk.ok());
    text += AsChars(*chunk);
  }
  auto catalog = vault::DecodeCatalog(text);
  REQUIRE(catalog.ok());
  return *catalog;
}

vault::Snapshot Newest(vault::Vault& v) {
  auto snapshots = v.Snapshots();
  REQUIRE(snapshots.ok());
  REQUIRE(!snapshots->empty());
  return snapshots->back();
}

Catalog OneConversationTwoVersions() {
  ConversationVersion fingerprinted, older;
  fingerprinted.hash.fill(1);
  fingerprinted.fingerprint.emplace().fill(7);
  older.hash.fill(2);
  ConversationRecord rec;
  rec.id = "conv-1";
  rec.versions = {fingerprinted, older};
  Catalog c;
  c.seq = 2;
  c.conversations["conv-1"] = rec;
  return c;
}

}  // namespace

TEST_SUITE("vault catalog") {
  TEST_CASE("a version's fingerprint survives encoding, and a version without one stays without") {
    auto back = vault::DecodeCatalog(vault::EncodeCatalog(OneConversationTwoVersions()));
    REQUIRE(back.ok());
    const auto& versions = back->conversations.at("conv-1").versions;
    REQUIRE(versions.size() == 2);
    REQUIRE(versions[0].fingerprint.has_value());
    CHECK(ToHex(*versions[0].fingerprint) == "07070707070707070707070707070707");
    CHECK(!versions[1].fingerprint.has_value());
  }

  TEST_CASE("a fingerprint of the wrong length makes the catalog damaged") {
    std::string text = vault::EncodeCatalog(OneConversationTwoVersions());
    size_t at = text.find("07070707070707070707070707070707");
    REQUIRE(at != std::string::npos);
    text.erase(at, 2);
    auto back = vault::DecodeCatalog(text);
    CHECK(back.status().code() == Status::Code::kCorruption);
  }

  TEST_CASE("a catalog written before fingerprints existed still recognises every conversation") {
    MemBackend mem;
    REQUIRE(storage::Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    TempDir dir;
    WriteExport(dir / "1.zip", {TinyConversation("conv-aaaa-0001", "One"),
                                TinyConversation("conv-aaaa-0002", "Two")});
    {
      // The vault as an older gptvault left it: the newest snapshot's
      // catalog has no fingerprints.
      auto v = MustOpen(mem);
      REQUIRE(v->Add(dir / "1.zip").ok());
      vault::Snapshot first = Newest(*v);
      Catalog old = CatalogOf(*v, first);
      for (auto& [id, rec] : old.conversations) {
        for (ConversationVersion& version : rec.versions) {
          REQUIRE(version.fingerprint.has_value());
          version.fingerprint.reset();
        }
      }
      old.seq = first.seq + 1;
      std::string text = vault::EncodeCatalog(old);
      auto& repo = v->repository();
      auto id = repo.Put(storage::ObjectType::kTree, AsBytes(text));
      REQUIRE(id.ok());
      REQUIRE(repo.Commit().ok());
      vault::Snapshot second = first;
      second.seq = old.seq;
      second.parent = first.name;
      second.catalog = {text.size(), {*id}};
      REQUIRE(repo.WriteMetaFile("snapshots", AsBytes(vault::EncodeSnapshot(second))).ok());
    }
    auto v = MustOpen(mem);
    auto added = v->Add(dir / "1.zip");
    REQUIRE(added.ok());
    CHECK(added->snapshot.counts.unchanged == 2);
    CHECK(added->snapshot.counts.updated == 0);
    CHECK(added->snapshot.counts.new_conversations == 0);
    // ...and the add fingerprinted them, so the next one finds them faster.
    for (const auto& [id, rec] : CatalogOf(*v, Newest(*v)).conversations) {
      CHECK(rec.versions.size() == 1);
      CHECK(rec.versions[0].fingerprint.has_value());
    }
  }
}
