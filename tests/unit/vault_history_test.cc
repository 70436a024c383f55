// The vault's past is reachable: snapshots are named by number, id prefix
// or "latest", each snapshot's catalog gives the vault as it was, and the
// versions of a conversation are numbered oldest first.
#include <doctest/doctest.h>

#include "gptvault/storage/file_names.h"
#include "test_vaults.h"

using namespace gptvault;
using namespace gptvault::testing;

namespace {

std::string TitleOf(const vault::RestoredConversation& c) { return *c.version.title; }

}  // namespace

TEST_SUITE("vault history") {
  TEST_CASE("each snapshot and each version of a conversation can be reached") {
    TempDir dir;
    MemBackend mem;
    REQUIRE(storage::Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    auto v = MustOpen(mem, {});
    for (int month = 1; month <= 3; ++month) {
      const std::string path = dir / (std::to_string(month) + ".zip");
      std::vector<std::string> convs = {
          TinyConversation("conv-aaaa-0001", "One, month " + std::to_string(month))};
      if (month >= 2) convs.push_back(TinyConversation("conv-bbbb-0002", "Two"));
      WriteExport(path, convs);
      REQUIRE(v->Add(path).ok());
    }

    auto second = v->ResolveSnapshot("2");
    REQUIRE(second.ok());
    CHECK(second->seq == 2);
    CHECK(v->ResolveSnapshot("latest")->seq == 3);
    CHECK(v->ResolveSnapshot(storage::SnapshotShortId(second->name))->seq == 2);

    auto as_of_two = v->RestoreAt("conv-aaaa-0001", *second);
    REQUIRE(as_of_two.ok());
    CHECK(TitleOf(*as_of_two) == "One, month 2");
    auto first = v->ResolveSnapshot("1");
    REQUIRE(first.ok());
    auto absent = v->RestoreAt("conv-bbbb-0002", *first);
    CHECK(absent.status().IsNotFound());

    // The same update_time each month: ordered by the snapshot that saw them.
    CHECK(TitleOf(*v->RestoreVersion("conv-aaaa-0001", 1)) == "One, month 1");
    CHECK(TitleOf(*v->RestoreVersion("conv-aaaa-0001", 3)) == "One, month 3");
    CHECK(v->RestoreVersion("conv-aaaa-0001", 4).status().IsNotFound());
    CHECK(v->RestoreVersion("conv-aaaa-0001", 0).status().IsNotFound());
  }

  TEST_CASE("a snapshot that is not there, or named too briefly, is refused") {
    TempDir dir;
    MemBackend mem;
    REQUIRE(storage::Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    auto v = MustOpen(mem, {});
    CHECK(v->ResolveSnapshot("latest").status().IsNotFound());
    const std::string path = dir / "1.zip";
    WriteExport(path, {TinyConversation("conv-aaaa-0001", "One")});
    REQUIRE(v->Add(path).ok());
    CHECK(v->ResolveSnapshot("7").status().IsNotFound());
    CHECK(v->ResolveSnapshot("0").status().IsNotFound());
    CHECK(v->ResolveSnapshot("abc").status().code() == Status::Code::kInvalidArgument);
    CHECK(v->ResolveSnapshot("ffffffffff").status().IsNotFound());
  }

  TEST_CASE("versions are numbered oldest first by update_time, whatever order they came in") {
    vault::ConversationRecord rec;
    rec.versions.resize(3);
    rec.versions[0].update_time = 300;  // seen first, but the newest
    rec.versions[0].first_seq = 1;
    rec.versions[1].update_time = 100;
    rec.versions[1].first_seq = 2;
    rec.versions[2].first_seq = 3;  // no update_time: older than any with one
    CHECK(vault::VersionsOldestFirst(rec) == std::vector<size_t>{2, 1, 0});
  }
}
