#include <doctest/doctest.h>

#include "gptvault/storage/key_ring.h"
#include "gptvault/storage/repository.h"
#include "test_vaults.h"

using namespace gptvault;
using namespace gptvault::storage;
using gptvault::testing::BorrowedBackend;
using gptvault::testing::FastKdf;
using gptvault::testing::MemBackend;
using gptvault::testing::Pass;

namespace {

std::unique_ptr<Repository> OpenRepo(MemBackend& mem, const char* pass = "pw") {
  auto repo = Repository::Open(std::make_unique<BorrowedBackend>(mem), Pass(pass));
  REQUIRE(repo.ok());
  return std::move(repo).value();
}

Bytes Pattern(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + i * 31 + (i >> 7));
  return b;
}

// Text that zstd alone compresses only a few times: words picked by a
// pseudo-random generator, as a conversation's messages are.
Bytes Prose(size_t n, uint32_t seed) {
  static const char* words[] = {"vault",   "export",       "message",    "chunk",
                                "restore", "branch",       "the",        "a",
                                "of",      "conversation", "attachment", "snapshot"};
  std::string out;
  while (out.size() < n) {
    seed = seed * 1103515245 + 12345;
    out += words[(seed >> 16) % 12];
    out += (seed >> 8) % 7 == 0 ? ". " : " ";
    out += std::to_string((seed >> 4) % 1000);
  }
  out.resize(n);
  return Bytes(out.begin(), out.end());
}

Bytes Concat(const Bytes& a, const Bytes& b) {
  Bytes out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

}  // namespace

TEST_SUITE("storage::Repository") {
  TEST_CASE("objects put and committed are found again after reopening") {
    MemBackend mem;
    REQUIRE(Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    ObjectId a, b;
    {
      auto repo = OpenRepo(mem);
      a = *repo->Put(ObjectType::kData, Pattern(10000, 1));
      b = *repo->Put(ObjectType::kTree, AsBytes("metadata"));
      REQUIRE(repo->Commit().ok());
    }
    auto repo = OpenRepo(mem);
    CHECK(*repo->Get(ObjectType::kData, a) == Pattern(10000, 1));
    CHECK(AsChars(*repo->Get(ObjectType::kTree, b)) == "metadata");
  }

  TEST_CASE("a prune after a commit in the same process counts the new index file as read") {
    MemBackend mem;
    REQUIRE(Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    auto repo = OpenRepo(mem);
    ObjectId kept = *repo->Put(ObjectType::kData, Pattern(10000, 3));
    ObjectId dropped = *repo->Put(ObjectType::kData, Pattern(10000, 4));
    REQUIRE(repo->Commit().ok());
    Reachable reachable;
    reachable.objects.insert(kept);
    PruneOptions options;
    options.grace_seconds = 0;
    options.max_unused = 0;
    auto report = repo->Prune(reachable, options);
    REQUIRE_MESSAGE(report.ok(), report.status().message());
    CHECK(report->unindexed.packs == 0);  // the pack just committed is indexed
    CHECK(report->repacked.packs == 1);   // and rewritten without `dropped`
    auto again = OpenRepo(mem);
    CHECK(*again->Get(ObjectType::kData, kept) == Pattern(10000, 3));
    CHECK_FALSE(again->Get(ObjectType::kData, dropped).ok());
    CHECK(mem.List("index/")->size() == 1);
  }

  TEST_CASE("putting the same bytes twice stores them once") {
    MemBackend mem;
    REQUIRE(Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    auto repo = OpenRepo(mem);
    ObjectId a = *repo->Put(ObjectType::kData, Pattern(5000, 2));
    ObjectId b = *repo->Put(ObjectType::kData, Pattern(5000, 2));
    CHECK(a == b);
    CHECK(repo->stats().objects_added == 1);
    CHECK(repo->stats().objects_reused == 1);
  }

  TEST_CASE("a wrong passphrase is refused as such") {
    MemBackend mem;
    REQUIRE(Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    auto repo = Repository::Open(std::make_unique<BorrowedBackend>(mem), Pass("nope"));
    CHECK(repo.status().code() == Status::Code::kWrongPassphrase);
    CHECK(repo.status().message() == "wrong passphrase");
  }

  TEST_CASE("the vault's own master key opens it and another vault's key does not") {
    MemBackend mem, other;
    REQUIRE(Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    REQUIRE(Repository::Init(other, Pass("pw"), FastKdf()).ok());
    ObjectId a;
    {
      auto repo = OpenRepo(mem);
      a = *repo->Put(ObjectType::kData, Pattern(3000, 5));
      REQUIRE(repo->Commit().ok());
    }
    auto master = KeyRing(mem).Unlock(Pass("pw"));
    REQUIRE(master.ok());
    auto repo =
        Repository::OpenWithMasterKey(std::make_unique<BorrowedBackend>(mem), master->master);
    REQUIRE(repo.ok());
    CHECK(*(*repo)->Get(ObjectType::kData, a) == Pattern(3000, 5));

    auto wrong =
        Repository::OpenWithMasterKey(std::make_unique<BorrowedBackend>(other), master->master);
    CHECK(wrong.status().code() == Status::Code::kCorruption);
    CHECK(wrong.status().message() == "the vault's config file was altered");
  }

  TEST_CASE("init refuses a backend that already holds a vault") {
    MemBackend mem;
    REQUIRE(Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    CHECK(Repository::Init(mem, Pass("pw"), FastKdf()).code() == Status::Code::kAlreadyExists);
  }

  TEST_CASE("a flipped byte in a pack makes the object fail to read, never read wrong") {
    MemBackend mem;
    REQUIRE(Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    ObjectId a;
    {
      auto repo = OpenRepo(mem);
      a = *repo->Put(ObjectType::kData, Pattern(3000, 3));
      REQUIRE(repo->Commit().ok());
    }
    for (auto& [name, bytes] : mem.files()) {
      if (name.rfind("data/", 0) == 0) bytes[20] ^= 0x40;
    }
    auto repo = OpenRepo(mem);
    auto got = repo->Get(ObjectType::kData, a);
    CHECK(got.status().code() == Status::Code::kCorruption);
  }

  TEST_CASE("an object asked for as the wrong type is refused") {
    MemBackend mem;
    REQUIRE(Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    auto repo = OpenRepo(mem);
    ObjectId a = *repo->Put(ObjectType::kData, Pattern(100, 4));
    REQUIRE(repo->Commit().ok());
    CHECK(!repo->Get(ObjectType::kTree, a).ok());
  }

  TEST_CASE("an altered config is noticed once the vault is unlocked") {
    MemBackend mem;
    REQUIRE(Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    mem.files()["config"][8 + 4 + 16] ^= 1;  // chunk_min
    auto repo = Repository::Open(std::make_unique<BorrowedBackend>(mem), Pass("pw"));
    CHECK(!repo.ok());
  }

  TEST_CASE("abandoning removes every pack written since the last commit") {
    MemBackend mem;
    REQUIRE(Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    auto before = mem.files();
    auto repo = OpenRepo(mem);
    // 25 MiB: more than a pack even with SealPool's 4 MiB still in flight.
    for (int i = 0; i < 400; ++i) {
      REQUIRE(repo->Put(ObjectType::kData, crypto::RandomBytes(65536)).ok());  // incompressible
    }
    CHECK(mem.files().size() > before.size());  // at least one full pack went out
    repo->Abandon();
    CHECK(mem.files() == before);
  }

  TEST_CASE("a failed index write leaves no index entry pointing at nothing") {
    MemBackend mem;
    REQUIRE(Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    auto faulty = std::make_unique<BorrowedBackend>(mem);
    faulty->fail_put = [](const std::string& name, int) { return name.rfind("index/", 0) == 0; };
    auto repo = Repository::Open(std::move(faulty), Pass("pw"));
    REQUIRE(repo.ok());
    REQUIRE((*repo)->Put(ObjectType::kData, Pattern(100, 5)).ok());
    Status s = (*repo)->Commit();
    CHECK(s.code() == Status::Code::kIOError);
    CHECK(s.message().find("No space left") != std::string::npos);
    (*repo)->Abandon();
    size_t index_files = 0, packs = 0;
    for (auto& [name, _] : mem.files()) {
      index_files += name.rfind("index/", 0) == 0;
      packs += name.rfind("data/", 0) == 0;
    }
    CHECK(index_files == 0);
    CHECK(packs == 0);
  }

  TEST_CASE(
      "a pack write that fails fails the commit, and once abandoned the repository commits again") {
    MemBackend mem;
    REQUIRE(Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    auto faulty = std::make_unique<BorrowedBackend>(mem);
    bool failed_once = false;
    faulty->fail_put = [&failed_once](const std::string& name, int) {
      if (failed_once || name.rfind("data/", 0) != 0) return false;
      return failed_once = true;
    };
    auto repo = Repository::Open(std::move(faulty), Pass("pw"));
    REQUIRE(repo.ok());
    // More than a pack: the first one is written (and fails) while the next fills.
    for (int i = 0; i < 400; ++i) {
      REQUIRE((*repo)->Put(ObjectType::kData, crypto::RandomBytes(65536)).ok());
    }
    Status s = (*repo)->Commit();
    CHECK(s.code() == Status::Code::kIOError);
    CHECK(s.message().find("No space left") != std::string::npos);
    (*repo)->Abandon();
    ObjectId id = *(*repo)->Put(ObjectType::kData, Pattern(100, 7));
    REQUIRE((*repo)->Commit().ok());
    auto reopened = OpenRepo(mem);
    auto back = reopened->Get(ObjectType::kData, id);
    REQUIRE(back.ok());
    CHECK(*back == Pattern(100, 7));
  }

  TEST_CASE("metadata files are checked against their names") {
    MemBackend mem;
    REQUIRE(Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    auto repo = OpenRepo(mem);
    auto name = repo->WriteMetaFile("snapshots", AsBytes("{\"x\":1}"));
    REQUIRE(name.ok());
    CHECK(AsChars(*repo->ReadMetaFile(*name)) == "{\"x\":1}");
    mem.files()[*name].back() ^= 1;
    CHECK(repo->ReadMetaFile(*name).status().code() == Status::Code::kCorruption);
  }

  TEST_CASE("a new version stored against the old one costs about what was added") {
    MemBackend mem;
    REQUIRE(Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    Bytes v1 = Prose(200000, 1);
    Bytes v2 = Concat(v1, Prose(3000, 2));
    ObjectId base, plain_id;
    uint64_t plain_cost = 0, delta_cost = 0;
    {
      auto repo = OpenRepo(mem);
      base = *repo->Put(ObjectType::kData, v1);
      uint64_t before = repo->stats().bytes_sealed;
      REQUIRE(repo->Commit().ok());
      before = repo->stats().bytes_sealed;
      Bytes v2_alone = v2;
      v2_alone.push_back('!');
      plain_id = *repo->Put(ObjectType::kData, v2_alone);
      REQUIRE(repo->Commit().ok());
      plain_cost = repo->stats().bytes_sealed - before;
      before = repo->stats().bytes_sealed;
      DeltaBase against{{base}, v1};
      ObjectId delta = *repo->PutWithId(ObjectType::kData, repo->IdOf(v2), v2, &against);
      REQUIRE(repo->Commit().ok());
      delta_cost = repo->stats().bytes_sealed - before;
      CHECK(delta == repo->IdOf(v2));
    }
    CHECK(delta_cost < 3000);
    CHECK(delta_cost * 10 < plain_cost);
    auto repo = OpenRepo(mem);
    CHECK(*repo->Get(ObjectType::kData, repo->IdOf(v2)) == v2);
  }

  TEST_CASE("a chain of versions reads back, and a base split in pieces is joined in order") {
    MemBackend mem;
    REQUIRE(Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    Bytes head = Prose(30000, 3), tail = Prose(30000, 4);
    std::vector<Bytes> versions{Concat(head, tail)};
    {
      auto repo = OpenRepo(mem);
      DeltaBase base{{*repo->Put(ObjectType::kData, head), *repo->Put(ObjectType::kData, tail)},
                     versions[0]};
      for (uint32_t i = 1; i <= 5; ++i) {
        versions.push_back(Concat(versions.back(), Prose(500, 10 + i)));
        ObjectId id = *repo->PutWithId(ObjectType::kData, repo->IdOf(versions.back()),
                                       versions.back(), &base);
        base = DeltaBase{{id}, versions.back()};
      }
      REQUIRE(repo->Commit().ok());
    }
    auto repo = OpenRepo(mem);
    for (const Bytes& v : versions) {
      if (&v == &versions[0]) continue;
      CHECK(*repo->Get(ObjectType::kData, repo->IdOf(v)) == v);
    }
  }

  TEST_CASE("a version whose base cannot be read fails to read, naming why") {
    MemBackend mem;
    REQUIRE(Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    Bytes v1 = Prose(50000, 5);
    Bytes v2 = Concat(v1, Prose(1000, 6));
    ObjectId base;
    {
      auto repo = OpenRepo(mem);
      base = *repo->Put(ObjectType::kData, v1);
      REQUIRE(repo->Commit().ok());
    }
    std::vector<std::string> first_packs;
    for (const auto& [name, bytes] : mem.files()) {
      if (name.starts_with("data/")) first_packs.push_back(name);
    }
    {
      auto repo = OpenRepo(mem);
      DeltaBase against{{base}, v1};
      REQUIRE(repo->PutWithId(ObjectType::kData, repo->IdOf(v2), v2, &against).ok());
      REQUIRE(repo->Commit().ok());
    }
    REQUIRE(first_packs.size() == 1);
    mem.files()[first_packs[0]][20] ^= 1;
    auto repo = OpenRepo(mem);
    auto got = repo->Get(ObjectType::kData, repo->IdOf(v2));
    REQUIRE_FALSE(got.ok());
    CHECK(got.status().message().find("change to object " + ToHex(base).substr(0, 12)) !=
          std::string::npos);
  }
}

TEST_SUITE("storage::PackBuilder") {
  TEST_CASE("a pack is its blobs and the framing PackFramingSize counts, to the byte") {
    crypto::SecretBytes key = crypto::SecretBytes::Random(crypto::kKeySize);
    for (size_t n : {1, 2, 17}) {
      CAPTURE(n);
      PackBuilder builder;
      uint64_t blobs = 0;
      for (size_t i = 0; i < n; ++i) {
        Bytes blob = crypto::RandomBytes(100 + i * 7);
        ObjectId id{};
        id[0] = static_cast<uint8_t>(i);
        blobs += blob.size();
        builder.Add(ObjectType::kData, id, std::move(blob));
      }
      std::vector<PackEntry> entries;
      Bytes pack = builder.Finish(key, &entries);
      CHECK(pack.size() == blobs + PackFramingSize(n));
    }
  }
}
