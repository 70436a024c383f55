// The vault on untrusted or half-synced storage: rollback detection, the
// snapshot chain, damaged and missing files in check, repair of the index,
// and files a sync client adds.
#include <doctest/doctest.h>

#include <algorithm>

#include "test_vaults.h"

using namespace gptvault;
using namespace gptvault::testing;

namespace {

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

bool AnyContains(const std::vector<std::string>& lines, const std::string& part) {
  return std::any_of(lines.begin(), lines.end(), [&](const auto& l) { return Contains(l, part); });
}

std::vector<std::string> Named(MemBackend& mem, const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& [name, _] : mem.files()) {
    if (name.rfind(prefix, 0) == 0) out.push_back(name);
  }
  return out;
}

// A vault with three snapshots of growing exports, and this machine's state
// folder that has seen them.
struct ThreeSnapshots {
  TempDir dir;
  MemBackend mem;
  vault::OpenOptions options;
  std::vector<std::map<std::string, Bytes>> after;  // files after add 1, 2, 3

  ThreeSnapshots() {
    options.state_dir = dir / "state";
    REQUIRE(storage::Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    std::vector<std::string> convs;
    for (int i = 1; i <= 3; ++i) {
      convs.push_back(
          TinyConversation("conv-0000-000" + std::to_string(i), "Chat " + std::to_string(i)));
      std::string path = dir / ("export-" + std::to_string(i) + ".zip");
      WriteExport(path, convs);
      auto v = MustOpen(mem, options);
      REQUIRE(v->Add(path).ok());
      after.push_back(mem.files());
    }
  }
  Result<std::unique_ptr<vault::Vault>> Open(bool accept = false) {
    vault::OpenOptions o = options;
    o.accept_rollback = accept;
    return OpenVault(std::make_unique<BorrowedBackend>(mem), o);
  }
};

}  // namespace

TEST_SUITE("vault integrity") {
  TEST_CASE("a vault served back in an older state is refused until the user accepts it") {
    ThreeSnapshots t;
    t.mem.files() = t.after[1];  // the host serves the state after add 2
    auto refused = t.Open();
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().message() ==
          "the vault has gone back in time: it holds snapshot 2 but this machine has seen "
          "snapshot 3 (the storage may have been rolled back; run with --accept-rollback to "
          "continue)");
    REQUIRE(t.Open(/*accept=*/true).ok());
    CHECK(t.Open().ok());  // re-recorded: snapshot 2 is now the newest seen
  }

  TEST_CASE("an older state that was written to since is refused as well") {
    ThreeSnapshots t;
    t.mem.files() = t.after[1];
    // Another machine, which never saw snapshot 3, adds to the replayed state.
    vault::OpenOptions elsewhere;
    elsewhere.state_dir = t.dir / "other-machine";
    WriteExport(t.dir / "other.zip", {TinyConversation("conv-9999-0001", "Elsewhere")});
    REQUIRE(MustOpen(t.mem, elsewhere)->Add(t.dir / "other.zip").ok());
    auto refused = t.Open();
    REQUIRE_FALSE(refused.ok());
    CHECK(Contains(refused.status().message(),
                   "snapshot 3 that this machine has seen is gone, and the vault holds another "
                   "history in its place"));
  }

  TEST_CASE("without a state folder nothing is remembered or refused") {
    ThreeSnapshots t;
    t.mem.files() = t.after[0];
    CHECK(OpenVault(std::make_unique<BorrowedBackend>(t.mem)).ok());
  }

  TEST_CASE("a deleted middle snapshot breaks the chain, which check names") {
    ThreeSnapshots t;
    auto v = t.Open();
    REQUIRE(v.ok());
    auto snaps = (*v)->Snapshots();
    REQUIRE(snaps.ok());
    const std::string second = (*snaps)[1].name;
    t.mem.files().erase(second);
    v = t.Open();
    REQUIRE(v.ok());  // not a rollback: snapshot 3 is there and names it
    auto report = (*v)->Check(false);
    REQUIRE(report.ok());
    CHECK(AnyContains(report->problems,
                      "snapshot 3 (export-3.zip): its parent " + second + " is missing"));
    CHECK((*v)->List()->size() == 3);  // the newest catalog has everything
  }

  TEST_CASE("a damaged newest snapshot stops restore rather than showing an older state") {
    ThreeSnapshots t;
    auto v = t.Open();
    const std::string newest = (*v)->Snapshots()->back().name;
    t.mem.files()[newest][20] ^= 1;
    v = t.Open();
    REQUIRE(v.ok());
    auto list = (*v)->List();
    REQUIRE_FALSE(list.ok());
    CHECK(Contains(list.status().message(), newest));
    CHECK(Contains(list.status().message(), "may be the newest snapshot"));
  }

  TEST_CASE("a lost index is rebuilt from the packs by repair") {
    ThreeSnapshots t;
    for (const std::string& name : Named(t.mem, "index/")) t.mem.files().erase(name);
    auto v = t.Open();
    REQUIRE(v.ok());
    auto list = (*v)->List();
    REQUIRE_FALSE(list.ok());
    CHECK(Contains(list.status().message(), "is not in the index"));
    auto lock = (*v)->repository().AcquireLock({});
    REQUIRE(lock.ok());
    auto repaired = (*v)->repository().Repair();
    REQUIRE(repaired.ok());
    CHECK(repaired->packs_indexed == 3);
    CHECK(Named(t.mem, "index/").size() == 1);
    CHECK((*v)->Check(true)->problems.empty());
    CHECK(RestoreEverything(**v).size() == 3);
  }

  TEST_CASE("repair replaces a damaged index file") {
    ThreeSnapshots t;
    auto index = Named(t.mem, "index/");
    REQUIRE(index.size() == 3);
    t.mem.files()[index[0]][30] ^= 4;
    auto v = t.Open();
    REQUIRE(v.ok());
    REQUIRE((*v)->repository().damaged_index_files().size() == 1);
    CHECK_FALSE((*v)->Check(false)->problems.empty());
    auto repaired = (*v)->repository().Repair();
    REQUIRE(repaired.ok());
    CHECK(repaired->packs_indexed == 3);
    REQUIRE(repaired->index_deleted.size() == 3);
    size_t damaged = 0;
    for (const auto& d : repaired->index_deleted) damaged += d.reason.rfind("damaged: ", 0) == 0;
    CHECK(damaged == 1);
    CHECK((*v)->repository().damaged_index_files().empty());
    CHECK((*v)->Check(true)->problems.empty());
  }

  TEST_CASE("repair keeps the index file of a pack that has not arrived yet") {
    ThreeSnapshots t;
    std::string pack = Named(t.mem, "data/")[0];
    Bytes held_back = t.mem.files()[pack];
    t.mem.files().erase(pack);
    auto v = t.Open();
    REQUIRE(v.ok());
    auto repaired = (*v)->repository().Repair();
    REQUIRE(repaired.ok());
    CHECK(repaired->packs_indexed == 2);
    CHECK(repaired->index_deleted.size() == 2);
    REQUIRE(repaired->index_kept.size() == 1);
    CHECK(Contains(repaired->index_kept[0].reason, "still syncing?"));
    t.mem.files()[pack] = held_back;  // the pack arrives: no second repair needed
    v = t.Open();
    REQUIRE(v.ok());
    auto report = (*v)->Check(true);
    REQUIRE(report.ok());
    for (const std::string& p : report->problems) MESSAGE(p);
    CHECK(report->problems.empty());
  }

  TEST_CASE("a missing pack is named, with the conversations that need it") {
    ThreeSnapshots t;
    auto before = t.after[0];
    std::string first_pack;
    for (const auto& [name, _] : before) {
      if (name.rfind("data/", 0) == 0) first_pack = name;
    }
    t.mem.files().erase(first_pack);
    auto v = t.Open();
    REQUIRE(v.ok());
    auto restored = (*v)->Restore("conv-0000-0001");
    REQUIRE_FALSE(restored.ok());
    CHECK(Contains(restored.status().message(),
                   "pack " + first_pack + " is missing (still syncing?)"));
    auto report = (*v)->Check(false);
    REQUIRE(report.ok());
    CHECK(AnyContains(report->problems, "pack " + first_pack + " is missing (still syncing?)"));
    CHECK(AnyContains(report->problems, "snapshot 1 (export-1.zip): its catalog cannot be read"));
    CHECK(AnyContains(report->problems,
                      "conversation conv-0000-0001 cannot be restored: pack " + first_pack));
    CHECK((*v)->Restore("conv-0000-0003").ok());  // stored by the third add, elsewhere
  }

  TEST_CASE("a sync client's conflicted copies are ignored by every reader and noted by check") {
    ThreeSnapshots t;
    for (const char* prefix : {"data/", "index/", "snapshots/", "keys/"}) {
      std::string name = Named(t.mem, prefix)[0];
      t.mem.files()[name + " (conflicted copy 2026-11-24)"] = t.mem.files()[name];
      t.mem.files()[name + " (1)"] = Bytes{1, 2, 3};
    }
    auto v = t.Open();
    REQUIRE(v.ok());
    CHECK((*v)->Snapshots()->size() == 3);
    CHECK(RestoreEverything(**v).size() == 3);
    auto report = (*v)->Check(true);
    REQUIRE(report.ok());
    CHECK(report->problems.empty());
    CHECK(report->notes.size() == 8);
    CHECK(AnyContains(report->notes, "(conflicted copy 2026-11-24): not a vault file name"));
  }

  TEST_CASE("repair moves swapped packs and snapshot files back under their own names") {
    ThreeSnapshots t;
    auto packs = Named(t.mem, "data/");
    auto snaps = Named(t.mem, "snapshots/");
    std::swap(t.mem.files()[packs[0]], t.mem.files()[packs[1]]);
    std::swap(t.mem.files()[snaps[0]], t.mem.files()[snaps[2]]);
    auto v = t.Open();
    REQUIRE(v.ok());  // the snapshot this machine saw last is still there by name
    CHECK_FALSE((*v)->List().ok());
    auto report = (*v)->Check(true);
    REQUIRE(report.ok());
    CHECK(AnyContains(report->problems, "pack " + packs[0] + " does not hash to its name"));
    CHECK(AnyContains(report->problems, snaps[0] + " does not match its name"));

    auto repaired = (*v)->repository().Repair();
    REQUIRE(repaired.ok());
    CHECK(repaired->moved.size() == 4);
    CHECK(repaired->packs_misnamed.empty());
    for (const std::string& name : packs) CHECK(t.mem.files().at(name) == t.after[2].at(name));
    for (const std::string& name : snaps) CHECK(t.mem.files().at(name) == t.after[2].at(name));
    v = t.Open();
    REQUIRE(v.ok());
    report = (*v)->Check(true);
    REQUIRE(report.ok());
    for (const std::string& p : report->problems) MESSAGE(p);
    CHECK(report->problems.empty());
    CHECK(report->notes.empty());
    CHECK(RestoreEverything(**v).size() == 3);
  }

  TEST_CASE("a repair cut short after staging a move is finished by the next repair") {
    ThreeSnapshots t;
    auto packs = Named(t.mem, "data/");
    // As if a repair died right after staging packs[0] and deleting it.
    t.mem.files()[packs[0] + ".moved"] = t.mem.files()[packs[0]];
    t.mem.files().erase(packs[0]);
    auto v = t.Open();
    REQUIRE(v.ok());
    REQUIRE((*v)->repository().Repair().ok());
    CHECK(t.mem.files().count(packs[0]) == 1);
    CHECK(t.mem.files().count(packs[0] + ".moved") == 0);
    CHECK((*v)->Check(true)->problems.empty());
  }

  TEST_CASE("check names a snapshot whose seq does not follow its parent, and two that fork") {
    ThreeSnapshots t;
    auto v = t.Open();
    REQUIRE(v.ok());
    vault::Snapshot odd = (*v)->Snapshots()->back();  // seq 3, follows snapshot 2
    odd.seq = 5;
    auto written =
        (*v)->repository().WriteMetaFile("snapshots", AsBytes(vault::EncodeSnapshot(odd)));
    REQUIRE(written.ok());
    auto report = (*v)->Check(false);
    REQUIRE(report.ok());
    CHECK(AnyContains(report->problems,
                      "snapshot 5 (export-3.zip) follows snapshot 2, so its seq should be 3"));
    CHECK(AnyContains(report->problems, "both follow " + odd.parent));
  }
}
