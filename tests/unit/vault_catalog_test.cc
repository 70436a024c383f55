// The catalog's encoding, the fingerprints by which an add recognises what it
// stored before, and how it reads a catalog written before they existed.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

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

// A conversation whose one message shows the picture file-AbC123.
std::string WithPicture(const std::string& id) {
  return R"({"id":")" + id + R"(","conversation_id":")" + id +
         R"(","title":"Pic","create_time":1714585031.1,"update_time":1714585060.8,)"
         R"("current_node":"n1","mapping":{"n1":{"id":"n1","parent":null,"children":[],)"
         R"("message":{"id":"n1","author":{"role":"user"},"content":{"content_type":)"
         R"("multimodal_text","parts":[{"content_type":"image_asset_pointer",)"
         R"("asset_pointer":"file-service://file-AbC123"}]}}}}})";
}

Bytes PictureOf(vault::Vault& v, const std::string& id) {
  auto assets = v.AssetsOf(id);
  REQUIRE(assets.ok());
  REQUIRE(assets->present.size() == 1);
  Bytes out;
  REQUIRE(v.ReadAsset(assets->present[0], [&](ByteView piece) {
             out.insert(out.end(), piece.begin(), piece.end());
             return Status::Ok();
           }).ok());
  return out;
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
  vault::AssetRecord picture;
  picture.id = "file-AbC123";
  picture.name = "photo.png";
  picture.fingerprint.emplace().fill(9);
  c.assets[picture.id] = picture;
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
    CHECK(back->assets.at("file-AbC123").fingerprint ==
          OneConversationTwoVersions().assets.at("file-AbC123").fingerprint);
  }

  TEST_CASE("the catalog is written in the canonical form nlohmann gives, whatever its strings") {
    Catalog c = OneConversationTwoVersions();
    ConversationRecord& rec = c.conversations.at("conv-1");
    rec.create_time = 1714585031.1;
    rec.versions[0].title = "Ünïcödé \"quoted\" \\ back\tslash\n\x01\x7f";
    rec.versions[0].update_time = 1714585060.0;
    rec.versions[0].delta_depth = 3;
    rec.versions[0].assets = {{"file-1", std::nullopt}, {"file-2", "a\xff\xfe broken name"}};
    rec.versions[0].content = {123, {storage::ObjectId{}, storage::ObjectId{}}};
    rec.versions[1].update_time = 1e300;
    c.assets.at("file-AbC123").name = "caf\xc3\xa9 \xc3";
    c.assets["file-zzz"].name = "plain.png";
    std::string text = vault::EncodeCatalog(c);
    CHECK(text == nlohmann::json::parse(text).dump(-1, ' ', false,
                                                   nlohmann::json::error_handler_t::replace));
    auto back = vault::DecodeCatalog(text);
    REQUIRE(back.ok());
    CHECK(vault::EncodeCatalog(*back) == text);
    CHECK(back->conversations.at("conv-1").versions[0].title == rec.versions[0].title);
    CHECK(back->conversations.at("conv-1").versions[0].delta_depth == 3);
  }

  TEST_CASE("a fingerprint of the wrong length makes the catalog damaged") {
    std::string text = vault::EncodeCatalog(OneConversationTwoVersions());
    size_t at = text.find("07070707070707070707070707070707");
    REQUIRE(at != std::string::npos);
    text.erase(at, 2);
    auto back = vault::DecodeCatalog(text);
    CHECK(back.status().code() == Status::Code::kCorruption);
  }

  TEST_CASE(
      "an attachment whose bytes change from one export to the next restores as each had it") {
    MemBackend mem;
    REQUIRE(storage::Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    TempDir dir;
    Bytes first = crypto::RandomBytes(100000), second = crypto::RandomBytes(100000);
    WriteExport(dir / "1.zip", {WithPicture("conv-pic-0001")}, {{"file-AbC123-photo.png", first}});
    WriteExport(dir / "2.zip", {WithPicture("conv-pic-0001")}, {{"file-AbC123-photo.png", second}});
    auto v = MustOpen(mem);
    for (const auto& [zip, bytes] :
         {std::pair{"1.zip", &first}, {"2.zip", &second}, {"1.zip", &first}, {"1.zip", &first}}) {
      CAPTURE(zip);
      REQUIRE(v->Add(dir / zip).ok());
      CHECK(PictureOf(*v, "conv-pic-0001") == *bytes);
      // The fingerprint recorded is that of the bytes the vault holds.
      CHECK(CatalogOf(*v, Newest(*v)).assets.at("file-AbC123").fingerprint ==
            v->repository().FingerprintOf(*bytes));
    }
  }

  TEST_CASE("a catalog written before fingerprints existed still recognises everything in it") {
    MemBackend mem;
    REQUIRE(storage::Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    TempDir dir;
    Bytes picture = crypto::RandomBytes(100000);
    WriteExport(dir / "1.zip",
                {TinyConversation("conv-aaaa-0001", "One"),
                 TinyConversation("conv-aaaa-0002", "Two"), WithPicture("conv-pic-0001")},
                {{"file-AbC123-photo.png", picture}});
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
      REQUIRE(old.assets.at("file-AbC123").fingerprint.has_value());
      old.assets.at("file-AbC123").fingerprint.reset();
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
    CHECK(added->snapshot.counts.unchanged == 3);
    CHECK(added->snapshot.counts.updated == 0);
    CHECK(added->snapshot.counts.new_conversations == 0);
    // ...and the add fingerprinted them, so the next one finds them faster.
    Catalog now = CatalogOf(*v, Newest(*v));
    for (const auto& [id, rec] : now.conversations) {
      CHECK(rec.versions.size() == 1);
      CHECK(rec.versions[0].fingerprint ==
            v->repository().FingerprintOf(RestoreEverything(*v)[id]));
    }
    CHECK(now.assets.at("file-AbC123").fingerprint == v->repository().FingerprintOf(picture));
    CHECK(PictureOf(*v, "conv-pic-0001") == picture);
  }
}
