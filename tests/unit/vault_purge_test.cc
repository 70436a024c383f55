// purge, read back object by object: after it, no blob in any pack and no
// snapshot file of the vault decrypts to a byte string that holds the
// purged conversation's id or title, while before it some did.
#include <doctest/doctest.h>

#include "gptvault/storage/file_names.h"
#include "test_vaults.h"

using namespace gptvault;
using namespace gptvault::testing;

namespace {

constexpr char kSecretId[] = "conv-secret-0001";
constexpr char kSecretWord[] = "XYZZY-plover";

// How many of the vault's decrypted blobs and snapshot files hold `needle`.
int PlaintextsHolding(MemBackend& mem, const std::string& needle) {
  auto v = MustOpen(mem);
  storage::Repository& repo = v->repository();
  int hits = 0;
  auto holds = [&](ByteView plain) {
    return std::string_view(reinterpret_cast<const char*>(plain.data()), plain.size())
               .find(needle) != std::string_view::npos;
  };
  for (const auto& [name, bytes] : mem.files()) {
    std::string pack_id = storage::PackIdFromName(name);
    if (!pack_id.empty()) {
      auto pack = repo.ReadPack(pack_id);
      REQUIRE(pack.ok());
      REQUIRE(pack->header.ok());
      for (const storage::PackEntry& e : pack->entries) {
        // Every blob the pack holds, indexed or not.
        auto plain =
            repo.DecodeBlob(e.type, e.id, ByteView(pack->bytes).subspan(e.offset, e.length));
        if (!plain.ok()) plain = repo.Get(e.type, e.id);
        REQUIRE_MESSAGE(plain.ok(), plain.status().message());
        hits += holds(*plain);
      }
    } else if (name.rfind("snapshots/", 0) == 0) {
      auto plain = repo.ReadMetaFile(name);
      REQUIRE(plain.ok());
      hits += holds(*plain);
    }
  }
  return hits;
}

}  // namespace

TEST_SUITE("vault purge") {
  TEST_CASE("after a purge no blob or snapshot file decrypts to the conversation's id or title") {
    TempDir dir;
    MemBackend mem;
    REQUIRE(storage::Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    WriteExport(dir / "1.zip", {TinyConversation(kSecretId, std::string(kSecretWord) + " one"),
                                TinyConversation("conv-keep-0002", "Kept")});
    WriteExport(dir / "2.zip", {TinyConversation("conv-keep-0002", "Kept, renamed"),
                                TinyConversation(kSecretId, std::string(kSecretWord) + " two"),
                                TinyConversation("conv-keep-0003", "Also kept")});
    std::map<std::string, Bytes> kept;
    {
      auto v = MustOpen(mem);
      REQUIRE(v->Add(dir / "1.zip").ok());
      REQUIRE(v->Add(dir / "2.zip").ok());
      kept = RestoreEverything(*v);
      kept.erase(kSecretId);
    }
    REQUIRE(PlaintextsHolding(mem, kSecretWord) > 0);
    REQUIRE(PlaintextsHolding(mem, kSecretId) > 0);

    auto v = MustOpen(mem);
    auto purged = v->Purge({kSecretId});
    REQUIRE_MESSAGE(purged.ok(), purged.status().message());
    CHECK(purged->conversations == 1);
    CHECK(purged->versions == 2);
    CHECK(purged->snapshots_rewritten == 2);
    v.reset();

    CHECK(PlaintextsHolding(mem, kSecretWord) == 0);
    CHECK(PlaintextsHolding(mem, kSecretId) == 0);
    auto after = MustOpen(mem);
    CHECK(RestoreEverything(*after) == kept);
    CHECK(after->Restore(kSecretId).status().IsNotFound());
    auto report = after->Check(true);
    REQUIRE(report.ok());
    for (const std::string& p : report->problems) FAIL_CHECK(p);
    CHECK(after->Snapshots()->size() == 2);
  }
}
