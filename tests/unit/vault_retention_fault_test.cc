// forget and prune under failing storage: every write and every delete they
// make is failed in turn. Whatever failed, the vault must stay sound, every
// conversation must restore its current version, and running both again
// must finish the job.
#include <doctest/doctest.h>

#include "test_vaults.h"

using namespace gptvault;
using namespace gptvault::testing;

namespace {

// Two snapshots over two packs' worth of data (an incompressible attachment
// in the first), a changed conversation between them.
struct TwoSnapshots {
  TempDir dir;
  std::map<std::string, Bytes> files;     // the vault after both adds
  std::map<std::string, Bytes> restored;  // what it restores then

  TwoSnapshots() {
    MemBackend mem;
    REQUIRE(storage::Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    WriteExport(
        dir / "1.zip",
        {TinyConversation("conv-aaaa-0001", "One"), TinyConversation("conv-aaaa-0002", "Two")},
        {{"dalle-generations/big.webp", crypto::RandomBytes(17 << 20)}});
    WriteExport(dir / "2.zip", {TinyConversation("conv-aaaa-0001", "One, renamed"),
                                TinyConversation("conv-bbbb-0003", "Three")});
    auto v = MustOpen(mem);
    REQUIRE(v->Add(dir / "1.zip").ok());
    REQUIRE(v->Add(dir / "2.zip").ok());
    restored = RestoreEverything(*v);
    v.reset();
    files = mem.files();
  }
};

storage::PruneOptions NoGrace() {
  storage::PruneOptions o;
  o.grace_seconds = 0;
  o.max_unused = 0;
  return o;
}

// Forgets every snapshot but the newest, then prunes; the first failure.
Status ForgetAndPrune(vault::Vault& v) {
  GV_ASSIGN_OR_RETURN(auto history, v.Snapshots());
  std::vector<std::string> older;
  for (size_t i = 0; i + 1 < history.size(); ++i) older.push_back(history[i].name);
  GV_RETURN_IF_ERROR(v.Forget(older, /*dry_run=*/false).status());
  return v.Prune(NoGrace()).status();
}

void ExpectSoundAndWhole(MemBackend& mem, const TwoSnapshots& f) {
  auto v = MustOpen(mem);
  auto report = v->Check(true);
  REQUIRE(report.ok());
  for (const std::string& p : report->problems) FAIL_CHECK(p);
  CHECK(RestoreEverything(*v) == f.restored);
}

}  // namespace

TEST_SUITE("vault retention faults") {
  TEST_CASE(
      "a forget and prune that fail at any write or delete leave the vault whole and a rerun "
      "finishes") {
    TwoSnapshots f;
    int writes = 0, deletes = 0;
    {
      MemBackend mem;
      mem.files() = f.files;
      auto counting = std::make_unique<FaultyBackend>(mem);
      FaultyBackend* counter = counting.get();
      auto v = OpenVault(std::move(counting));
      REQUIRE(v.ok());
      REQUIRE(ForgetAndPrune(**v).ok());
      writes = counter->puts;
      deletes = counter->deletes;
      v->reset();
      ExpectSoundAndWhole(mem, f);
      CHECK(MustOpen(mem)->Snapshots()->size() == 1);
    }
    // The lock twice, a catalog pack, its index file, the new snapshot; a
    // rewritten pack and the new index; the old snapshots, index files and
    // packs deleted.
    CHECK(writes >= 6);
    CHECK(deletes >= 4);

    for (int n = 1; n <= writes + deletes; ++n) {
      CAPTURE(n);
      MemBackend mem;
      mem.files() = f.files;
      auto faulty = std::make_unique<FaultyBackend>(mem);
      bool fired = false;
      if (n <= writes) {
        faulty->put_fault = [&](const std::string&, int k) {
          fired |= k == n;
          return k == n ? PutFault::kIOError : PutFault::kNone;
        };
      } else {
        // A lock file left by a failed delete is stale once its process has
        // ended; this process goes on, so locks are not failed here.
        faulty->fail_delete = [&](const std::string& name, int k) {
          bool fail = k == n - writes && name.rfind("locks/", 0) != 0;
          fired |= fail;
          return fail;
        };
      }
      auto v = OpenVault(std::move(faulty));
      REQUIRE(v.ok());
      Status first = ForgetAndPrune(**v);
      if (fired) CHECK_FALSE(first.ok());
      v->reset();
      ExpectSoundAndWhole(mem, f);
      // Once the storage behaves, the same commands finish the job.
      auto again = MustOpen(mem);
      Status retried = ForgetAndPrune(*again);
      REQUIRE_MESSAGE(retried.ok(), retried.message());
      again.reset();
      ExpectSoundAndWhole(mem, f);
      auto last = MustOpen(mem);
      CHECK(last->Snapshots()->size() == 1);
      auto plan = last->Prune([] {
        storage::PruneOptions o = NoGrace();
        o.dry_run = true;
        return o;
      }());
      REQUIRE(plan.ok());
      CAPTURE(plan->unused.packs);
      CAPTURE(plan->unindexed.packs);
      CAPTURE(plan->repacked.packs);
      CAPTURE(plan->objects_rewritten_whole);
      CHECK(plan->nothing_to_do());
    }
  }
}
