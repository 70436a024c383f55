// The catalog's encoding, the fingerprints by which an add recognises what it
// stored before, and how it reads a catalog written before they existed.
#include <doctest/doctest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "../../src/vault/chunk_stream.h"
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

// A catalog of `n` conversations, about 1 KB of text each.
Catalog ManyConversations(size_t n) {
  Catalog c;
  c.seq = 1;
  for (size_t i = 0; i < n; ++i) {
    ConversationVersion v;
    v.hash.fill(static_cast<uint8_t>(i));
    v.fingerprint.emplace().fill(static_cast<uint8_t>(i >> 8));
    v.title = "Conversation number " + std::to_string(i);
    v.content.size = 1000 + i;
    for (uint8_t k = 0; k < 8; ++k) v.content.chunks.emplace_back().fill(k);
    ConversationRecord rec;
    rec.id = "conv-" + std::to_string(i);
    rec.versions = {v};
    c.conversations[rec.id] = rec;
  }
  return c;
}

}  // namespace

TEST_SUITE("vault catalog") {
  TEST_CASE("a large catalog is handed over in pieces far smaller than it, which make its text") {
    const Catalog c = ManyConversations(4000);
    std::string joined;
    size_t pieces = 0, largest = 0;
    REQUIRE(vault::EncodeCatalog(c, [&](std::string_view piece) {
              ++pieces;
              largest = std::max(largest, piece.size());
              joined += piece;
              return Status::Ok();
            }).ok());
    CHECK(joined.size() > 3 << 20);
    CHECK(pieces > 4);
    CHECK(largest < (512 << 10));
    CHECK(joined == vault::EncodeCatalog(c));
    CHECK(vault::DecodeCatalog(joined).ok());
  }

  TEST_CASE("the writing stops at the sink's first error, which is what it returns") {
    size_t calls = 0;
    Status s = vault::EncodeCatalog(ManyConversations(4000), [&](std::string_view) {
      ++calls;
      return calls == 2 ? Status::IOError("disk full") : Status::Ok();
    });
    CHECK(s.code() == Status::Code::kIOError);
    CHECK(calls == 2);
  }

  TEST_CASE("a catalog stored as it is written has the chunks of the whole text stored at once") {
    // Else every snapshot's catalog would share no chunk with those written before.
    MemBackend mem;
    REQUIRE(storage::Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    auto repo = storage::Repository::Open(std::make_unique<BorrowedBackend>(mem), Pass("pw"));
    REQUIRE(repo.ok());
    const Catalog c = ManyConversations(3000);
    const std::string whole = vault::EncodeCatalog(c);
    auto at_once = vault::StoreChunked(**repo, storage::ObjectType::kTree, AsBytes(whole));
    auto as_written = vault::StoreWritten(
        **repo, storage::ObjectType::kTree,
        [&](const vault::TextSink& sink) { return vault::EncodeCatalog(c, sink); });
    REQUIRE(at_once.ok());
    REQUIRE(as_written.ok());
    CHECK(at_once->chunks.size() > 4);
    CHECK(as_written->size == whole.size());
    CHECK(as_written->chunks == at_once->chunks);
  }

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
    rec.current = 1;  // the newest, as a reader would take it anyway
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

  TEST_CASE("the catalog reader takes members in any order and skips those it does not know") {
    std::string hash(64, 'a'), chunk(64, 'b');
    std::string text = R"( { "version" : 1, "future" : {"x": [1, {"y": null}], "z": "w"},
      "conversations" : [ { "versions" : [ { "messages" : 4, "hash" : ")" +
                       hash + R"(",
          "title" : "caf\u00e9 \ud83d\ude00", "content" : { "size" : 9, "later": [[]],
          "chunks" : [")" +
                       chunk + R"("] }, "first_seq" : 2, "new_field" : [true, false],
          "assets" : [ { "name" : null, "id" : "file-1", "kind": {"a": 1} } ] } ],
        "id" : "conv-9", "current" : 0, "create_time" : null } ],
      "seq" : 3, "format" : "gptvault-catalog" } )";
    auto back = vault::DecodeCatalog(text);
    REQUIRE(back.ok());
    CHECK(back->seq == 3);
    CHECK(back->assets.empty());
    const ConversationRecord& rec = back->conversations.at("conv-9");
    CHECK(!rec.create_time.has_value());
    const ConversationVersion& v = rec.latest();
    CHECK(v.messages == 4);
    CHECK(v.first_seq == 2);
    CHECK(v.title == "caf\xc3\xa9 \xf0\x9f\x98\x80");
    CHECK(!v.update_time.has_value());
    CHECK(ToHex(v.hash) == hash);
    CHECK(v.content.size == 9);
    REQUIRE(v.content.chunks.size() == 1);
    CHECK(ToHex(v.content.chunks[0]) == chunk);
    REQUIRE(v.assets.size() == 1);
    CHECK(v.assets[0].id == "file-1");
    CHECK(!v.assets[0].name.has_value());
  }

  TEST_CASE("a catalog that lacks a required member or holds one of the wrong type is damaged") {
    using Json = nlohmann::json;
    const Json good = Json::parse(vault::EncodeCatalog(OneConversationTwoVersions()));
    REQUIRE(vault::DecodeCatalog(good.dump()).ok());
    const std::vector<std::pair<const char*, std::function<void(Json&)>>> mutations = {
        {"no seq", [](Json& j) { j.erase("seq"); }},
        {"no conversations", [](Json& j) { j.erase("conversations"); }},
        {"conversations is an object", [](Json& j) { j["conversations"] = Json::object(); }},
        {"a conversation is a number", [](Json& j) { j["conversations"][0] = 5; }},
        {"no id", [](Json& j) { j["conversations"][0].erase("id"); }},
        {"current is text", [](Json& j) { j["conversations"][0]["current"] = "0"; }},
        {"current past the versions", [](Json& j) { j["conversations"][0]["current"] = 2; }},
        {"no versions", [](Json& j) { j["conversations"][0]["versions"] = Json::array(); }},
        {"versions is a number", [](Json& j) { j["conversations"][0]["versions"] = 5; }},
        {"chunks is text",
         [](Json& j) { j["conversations"][0]["versions"][0]["content"]["chunks"] = "x"; }},
        {"a file's content is null", [](Json& j) { j["assets"][0]["content"] = nullptr; }},
        {"no hash", [](Json& j) { j["conversations"][0]["versions"][0].erase("hash"); }},
        {"short hash", [](Json& j) { j["conversations"][0]["versions"][0]["hash"] = "0101"; }},
        {"messages is a fraction",
         [](Json& j) { j["conversations"][0]["versions"][0]["messages"] = 1.5; }},
        {"first_seq is negative",
         [](Json& j) { j["conversations"][0]["versions"][0]["first_seq"] = -1; }},
        {"no chunk list size",
         [](Json& j) { j["conversations"][0]["versions"][0]["content"].erase("size"); }},
        {"a chunk id is not hex",
         [](Json& j) {
           j["conversations"][0]["versions"][0]["content"]["chunks"] = Json::array({"zz"});
         }},
        {"content is a list",
         [](Json& j) { j["conversations"][0]["versions"][0]["content"] = {1}; }},
        {"a file reference without id",
         [](Json& j) {
           j["conversations"][0]["versions"][0]["assets"] = Json::array({{{"name", "x"}}});
         }},
        {"a file without a name", [](Json& j) { j["assets"][0].erase("name"); }},
        {"a file's name is an object", [](Json& j) { j["assets"][0]["name"] = Json::object(); }},
        {"the catalog is a list", [](Json& j) { j = Json::array({j}); }},
    };
    for (const auto& [what, mutate] : mutations) {
      CAPTURE(what);
      Json j = good;
      mutate(j);
      auto back = vault::DecodeCatalog(j.dump());
      CHECK(back.status().code() == Status::Code::kCorruption);
    }
    CHECK(vault::DecodeCatalog(good.dump().substr(0, 40)).status().code() ==
          Status::Code::kCorruption);
  }

  TEST_CASE("a catalog of another format or version is refused as such, whatever its layout") {
    using Json = nlohmann::json;
    Json j = Json::parse(vault::EncodeCatalog(OneConversationTwoVersions()));
    j["version"] = 2;
    CHECK(vault::DecodeCatalog(j.dump()).status().code() == Status::Code::kNotSupported);
    j["conversations"] = Json::object({{"conv-1", 1}});
    CHECK(vault::DecodeCatalog(j.dump()).status().code() == Status::Code::kNotSupported);
    j["version"] = 1;
    j["format"] = "something-else";
    CHECK(vault::DecodeCatalog(j.dump()).status().code() == Status::Code::kNotSupported);
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
    // The third export has the first one's file again; the same export
    // twice (the fourth) records nothing, so the third's file stays.
    WriteExport(dir / "3.zip", {WithPicture("conv-pic-0001"), TinyConversation("conv-3", "3")},
                {{"file-AbC123-photo.png", first}});
    for (const auto& [zip, bytes] :
         {std::pair{"1.zip", &first}, {"2.zip", &second}, {"3.zip", &first}, {"1.zip", &first}}) {
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
    // The next export has the same three and one more.
    WriteExport(
        dir / "2.zip",
        {TinyConversation("conv-aaaa-0001", "One"), TinyConversation("conv-aaaa-0002", "Two"),
         WithPicture("conv-pic-0001"), TinyConversation("conv-aaaa-0003", "Three")},
        {{"file-AbC123-photo.png", picture}});
    auto v = MustOpen(mem);
    auto added = v->Add(dir / "2.zip");
    REQUIRE(added.ok());
    CHECK(added->snapshot.counts.unchanged == 3);
    CHECK(added->snapshot.counts.updated == 0);
    CHECK(added->snapshot.counts.new_conversations == 1);
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

  TEST_CASE("a catalog that an older gptvault rewound reads with its newest version current") {
    Catalog old;
    old.seq = 2;
    ConversationRecord& rec = old.conversations["conv-1"];
    rec.id = "conv-1";
    for (double t : {30.0, 10.0, 30.0}) {
      ConversationVersion v;
      v.first_seq = 1;
      v.update_time = t;
      rec.versions.push_back(v);
    }
    rec.current = 1;  // the export added last was the oldest
    auto read = vault::DecodeCatalog(vault::EncodeCatalog(old));
    REQUIRE(read.ok());
    CHECK(read->conversations.at("conv-1").current == 0);
    // Among versions equally new the one recorded stays current.
    rec.current = 2;
    read = vault::DecodeCatalog(vault::EncodeCatalog(old));
    REQUIRE(read.ok());
    CHECK(read->conversations.at("conv-1").current == 2);
  }

  TEST_CASE("a snapshot without an export date takes the newest update_time it had seen") {
    Catalog latest;
    ConversationRecord& rec = latest.conversations["conv-1"];
    for (auto [seq, t] : {std::pair<uint64_t, double>{1, 100}, {2, 200}, {3, 150}}) {
      ConversationVersion v;
      v.first_seq = seq;
      v.update_time = t;
      rec.versions.push_back(v);
    }
    std::vector<vault::Snapshot> snaps(3);
    for (uint64_t i = 0; i < 3; ++i) snaps[i].seq = i + 1;
    CHECK(vault::ExportTimeOf(snaps[0], latest) == 100);
    CHECK(vault::ExportTimeOf(snaps[2], latest) == 200);
    // Snapshots 2 and 3 are then equally new: the later one is the newest.
    CHECK(vault::NewestExport(snaps, latest) == &snaps[2]);
    // A recorded date is used as it is, and decides.
    snaps[1].export_time = 250;
    CHECK(vault::NewestExport(snaps, latest) == &snaps[1]);
    snaps[0].export_time = 300;
    CHECK(vault::NewestExport(snaps, latest) == &snaps[0]);
    auto decoded = vault::DecodeSnapshot(vault::EncodeSnapshot(snaps[0]));
    REQUIRE(decoded.ok());
    CHECK(decoded->export_time == 300);
    decoded = vault::DecodeSnapshot(vault::EncodeSnapshot(snaps[2]));
    REQUIRE(decoded.ok());
    CHECK(!decoded->export_time);
  }
}
