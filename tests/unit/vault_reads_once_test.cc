// The vault reads its state once per process: however many steps a command
// takes (the rollback guard at open, add, list, resolve, restore, assets),
// each snapshot file is fetched once and the newest catalog decoded once.
#include <doctest/doctest.h>

#include "test_vaults.h"

using namespace gptvault;
using namespace gptvault::testing;

namespace {

// Every snapshots/ file `backend` was asked for more than once.
std::vector<std::string> ReadTwice(const FaultyBackend& backend) {
  std::vector<std::string> out;
  for (const auto& [name, n] : backend.reads_of) {
    if (name.starts_with("snapshots/") && n > 1) out.push_back(name + " x" + std::to_string(n));
  }
  return out;
}

size_t SnapshotReads(const FaultyBackend& backend) {
  size_t n = 0;
  for (const auto& [name, count] : backend.reads_of)
    n += name.starts_with("snapshots/") ? count : 0;
  return n;
}

}  // namespace

TEST_SUITE("vault reads its state once") {
  TEST_CASE("an add, then list, resolve, restore and assets read each snapshot file once") {
    TempDir dir;
    MemBackend mem;
    REQUIRE(storage::Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    vault::OpenOptions options;
    options.state_dir = dir / "state";  // the rollback guard scans at open
    for (int month = 1; month <= 3; ++month) {
      const std::string path = dir / (std::to_string(month) + ".zip");
      WriteExport(path, {TinyConversation("conv-aaaa-0001", "One, month " + std::to_string(month)),
                         TinyConversation("conv-bbbb-000" + std::to_string(month), "New")});
      REQUIRE(MustOpen(mem, options)->Add(path).ok());
    }
    const std::string fourth = dir / "4.zip";
    const std::string fifth = dir / "5.zip";
    WriteExport(fourth, {TinyConversation("conv-aaaa-0001", "One, month 4")});
    WriteExport(fifth, {TinyConversation("conv-aaaa-0001", "One, month 5")});

    auto counting = std::make_unique<BorrowedBackend>(mem);
    BorrowedBackend* counter = counting.get();
    auto v = OpenVault(std::move(counting), options);
    REQUIRE(v.ok());
    CHECK(SnapshotReads(*counter) == 3);
    REQUIRE((*v)->Add(fourth).ok());
    REQUIRE((*v)->Add(fifth).ok());  // two archives in one command
    REQUIRE((*v)->List().ok());
    auto id = (*v)->ResolveId("conv-aaaa");
    REQUIRE(id.ok());
    auto restored = (*v)->Restore(*id);
    REQUIRE(restored.ok());
    CHECK(restored->version.title == std::optional<std::string>("One, month 5"));
    REQUIRE((*v)->AssetsOf(*id).ok());
    REQUIRE((*v)->Snapshots()->size() == 5);
    CHECK(ReadTwice(*counter) == std::vector<std::string>{});
    // The three read at open, and the two it wrote, once each: by the
    // checked backend reading every write back, never again as state.
    CHECK(SnapshotReads(*counter) == 5);
  }
}
