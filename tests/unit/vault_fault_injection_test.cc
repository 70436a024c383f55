// Fault injection at the Backend, through whole vault operations: every
// write an `add` makes is failed in turn (I/O error, ENOSPC, a short file
// reported as written), and every read of a session is corrupted in turn
// (a flipped bit, another file's bytes). The vault must say so and must
// never lose what it had or hand out wrong bytes.
#include <doctest/doctest.h>

#include "test_vaults.h"

using namespace gptvault;
using namespace gptvault::testing;

namespace {

// A vault holding one small export, and a second export that spans two
// packs (17 MB of incompressible bytes), so an add of it makes five writes:
// the lock, a full pack, the last pack, the index file, the snapshot.
struct TwoExports {
  TempDir dir;
  std::string second = dir / "2.zip";
  std::map<std::string, Bytes> files;     // the vault after the first add
  std::map<std::string, Bytes> restored;  // what it restores then
  size_t listed = 0;

  TwoExports() {
    MemBackend mem;
    REQUIRE(storage::Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    WriteExport(dir / "1.zip", {TinyConversation("conv-aaaa-0001", "One"),
                                TinyConversation("conv-aaaa-0002", "Two")});
    WriteExport(second,
                {TinyConversation("conv-aaaa-0001", "One, renamed"),
                 TinyConversation("conv-bbbb-0003", "Three")},
                {{"dalle-generations/big.webp", crypto::RandomBytes(17 << 20)}});
    auto v = MustOpen(mem);
    REQUIRE(v->Add(dir / "1.zip").ok());
    restored = RestoreEverything(*v);
    listed = v->List()->size();
    v.reset();
    files = mem.files();
  }
};

// The vault in `mem` is the one TwoExports started from: sound, and it lists
// and restores the same.
void ExpectAsBefore(MemBackend& mem, const TwoExports& f) {
  auto v = MustOpen(mem);
  auto report = v->Check(true);
  REQUIRE(report.ok());
  for (const std::string& p : report->problems) FAIL_CHECK(p);
  auto list = v->List();
  REQUIRE(list.ok());
  CHECK(list->size() == f.listed);
  CHECK(RestoreEverything(*v) == f.restored);
}

const char* Describe(PutFault f) {
  switch (f) {
    case PutFault::kIOError:
      return "I/O error";
    case PutFault::kNoSpace:
      return "ENOSPC";
    case PutFault::kTruncate:
      return "short write reported as success";
    default:
      return "none";
  }
}

}  // namespace

TEST_SUITE("vault fault injection") {
  TEST_CASE(
      "an add that fails at any one of its writes reports it and leaves the vault as it was") {
    TwoExports f;
    int writes = 0;
    {
      MemBackend mem;
      mem.files() = f.files;
      auto counting = std::make_unique<FaultyBackend>(mem);
      FaultyBackend* counter = counting.get();
      auto v = OpenVault(std::move(counting));
      REQUIRE(v.ok());
      REQUIRE((*v)->Add(f.second).ok());
      writes = counter->puts;
    }
    CHECK(writes == 5);

    for (PutFault fault : {PutFault::kIOError, PutFault::kNoSpace, PutFault::kTruncate}) {
      for (int n = 1; n <= writes; ++n) {
        CAPTURE(Describe(fault));
        CAPTURE(n);
        MemBackend mem;
        mem.files() = f.files;
        auto faulty = std::make_unique<FaultyBackend>(mem);
        faulty->put_fault = [&](const std::string&, int k) {
          return k == n ? fault : PutFault::kNone;
        };
        auto v = OpenVault(std::move(faulty));
        REQUIRE(v.ok());
        auto added = (*v)->Add(f.second);
        REQUIRE_FALSE(added.ok());
        if (fault == PutFault::kNoSpace) {
          CHECK(added.status().message().find("No space left") != std::string::npos);
        }
        if (fault == PutFault::kTruncate) {
          CHECK(added.status().message().find("did not keep it whole") != std::string::npos);
        }
        v->reset();
        // Before the snapshot (the last write), nothing of the add remains;
        // after it, only unreferenced packs and index entries, which
        // readers ignore.
        if (n < writes) CHECK(mem.files() == f.files);
        ExpectAsBefore(mem, f);
        // Once the storage behaves, the same add goes through.
        auto again = MustOpen(mem);
        auto retried = again->Add(f.second);
        REQUIRE_MESSAGE(retried.ok(), retried.status().message());
        CHECK(again->Check(true)->problems.empty());
        CHECK(RestoreEverything(*again).size() == 3);
      }
    }
  }

  TEST_CASE("a read that returns other bytes is reported, never handed out as data") {
    TwoExports f;
    // One whole session: open, list, restore everything, check. Returns
    // whether anything failed or reported a problem; bytes handed out must
    // be the right ones whatever happens.
    auto session = [&](FaultyBackend& faulty, int* reads_at_open) {
      auto v = OpenVault(std::make_unique<BorrowedBackend>(faulty));
      *reads_at_open = faulty.reads;
      bool reported = !v.ok();
      if (v.ok()) {
        auto list = (*v)->List();
        reported |= !list.ok();
        if (list.ok()) CHECK(list->size() == f.listed);
        Status s = (*v)->RestoreAll([&](const vault::RestoredConversation& c) {
          auto want = f.restored.find(c.id);
          REQUIRE(want != f.restored.end());
          CHECK_MESSAGE(c.bytes == want->second, "wrong bytes handed out for " << c.id);
          return Status::Ok();
        });
        reported |= !s.ok();
        auto report = (*v)->Check(true);
        reported |= !report.ok() || !report->problems.empty();
      }
      return reported;
    };
    MemBackend mem;
    mem.files() = f.files;
    FaultyBackend clean(mem);
    int reads_at_open = 0;
    CHECK_FALSE(session(clean, &reads_at_open));
    const int reads = clean.reads;
    CHECK(reads > 10);
    for (ReadFault fault : {ReadFault::kFlipBit, ReadFault::kOtherFile}) {
      for (int n = 1; n <= reads; ++n) {
        CAPTURE(n);
        CAPTURE(fault == ReadFault::kFlipBit ? "flipped bit" : "another file's bytes");
        FaultyBackend faulty(mem);
        std::string corrupted;
        faulty.read_fault = [&](const std::string& name, int k) {
          if (k == n) corrupted = name;
          return k == n ? fault : ReadFault::kNone;
        };
        bool reported = session(faulty, &reads_at_open);
        CAPTURE(corrupted);
        // `check` reads only the clear header of key files (the sealed part
        // takes a passphrase and an Argon2id run to verify), so a bit flipped
        // in the sealed part as check reads it goes unseen: nothing is handed
        // out, and the next unlock reads the file afresh.
        if (corrupted.rfind("keys/", 0) == 0 && n > reads_at_open) continue;
        CHECK_MESSAGE(reported, "a corrupted read went unnoticed");
      }
    }
    CHECK(mem.files() == f.files);  // reads never change the vault
  }
}
