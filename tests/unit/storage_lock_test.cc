#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ctime>
#include <thread>

#include "gptvault/storage/checked_backend.h"
#include "gptvault/storage/file_names.h"
#include "gptvault/storage/lock.h"
#include "test_vaults.h"

using namespace gptvault;
using namespace gptvault::storage;
using namespace gptvault::testing;

namespace {

std::unique_ptr<Repository> OpenRepo(MemBackend& mem) {
  auto repo =
      Repository::Open(NewCheckedBackend(std::make_unique<BorrowedBackend>(mem)), Pass("pw"));
  REQUIRE(repo.ok());
  return std::move(repo).value();
}

size_t LockFiles(MemBackend& mem) {
  size_t n = 0;
  for (const auto& [name, _] : mem.files()) n += IsLockName(name);
  return n;
}

std::string HostName() {
  char host[256] = {};
  REQUIRE(::gethostname(host, sizeof host - 1) == 0);
  return host;
}

LockOptions NoWait() {
  LockOptions o;
  o.wait = std::chrono::milliseconds(0);
  return o;
}

}  // namespace

TEST_SUITE("storage::VaultLock") {
  TEST_CASE("a second writer is refused with the time the first took the lock, then gets it") {
    MemBackend mem;
    REQUIRE(Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    auto first = OpenRepo(mem);
    auto second = OpenRepo(mem);
    auto held = first->AcquireLock(NoWait());
    REQUIRE(held.ok());
    CHECK(LockFiles(mem) == 1);

    LockOptions briefly;
    briefly.wait = std::chrono::milliseconds(300);
    auto refused = second->AcquireLock(briefly);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().message().find("another gptvault is writing to this vault since ") == 0);
    CHECK(refused.status().message().find("on this machine") != std::string::npos);
    CHECK(LockFiles(mem) == 1);  // the refused writer took its own file away

    held->reset();
    CHECK(LockFiles(mem) == 0);
    auto taken = second->AcquireLock(NoWait());
    CHECK(taken.ok());
  }

  TEST_CASE("a waiting writer goes ahead as soon as the holder lets go") {
    MemBackend mem;
    REQUIRE(Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    auto first = OpenRepo(mem);
    auto second = OpenRepo(mem);
    auto held = first->AcquireLock(NoWait());
    REQUIRE(held.ok());
    std::thread release([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      held->reset();
    });
    LockOptions patient;
    patient.wait = std::chrono::seconds(20);
    auto taken = second->AcquireLock(patient);
    release.join();
    CHECK(taken.ok());
  }

  TEST_CASE("the writer that takes the lock sees what the writer before it committed") {
    MemBackend mem;
    REQUIRE(Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    auto first = OpenRepo(mem);
    auto second = OpenRepo(mem);
    ObjectId id = *first->Put(ObjectType::kData, AsBytes("committed by the first writer"));
    REQUIRE(first->Commit().ok());
    CHECK_FALSE(second->Contains(id));
    auto lock = second->AcquireLock(NoWait());
    REQUIRE(lock.ok());
    CHECK(second->Contains(id));
  }

  TEST_CASE("the holder refreshes its lock, keeping exactly one lock file") {
    MemBackend mem;
    REQUIRE(Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    auto repo = OpenRepo(mem);
    LockOptions fast = NoWait();
    fast.refresh_every = std::chrono::seconds(1);
    auto lock = repo->AcquireLock(fast);
    REQUIRE(lock.ok());
    const std::string first_name = (*lock)->name();
    std::this_thread::sleep_for(std::chrono::milliseconds(1600));
    CHECK((*lock)->name() != first_name);
    auto locks = repo->Locks();
    REQUIRE(locks.ok());
    REQUIRE(locks->size() == 1);
    CHECK((*locks)[0].name == (*lock)->name());
    CHECK((*locks)[0].refreshed >= (*locks)[0].taken);
  }

  TEST_CASE("the lock file reveals nothing in clear: no host name, no process id") {
    MemBackend mem;
    REQUIRE(Repository::Init(mem, Pass("pw"), FastKdf()).ok());
    auto repo = OpenRepo(mem);
    auto lock = repo->AcquireLock(NoWait());
    REQUIRE(lock.ok());
    const Bytes& file = mem.files().at((*lock)->name());
    std::string text(file.begin(), file.end());
    CHECK(text.find(HostName()) == std::string::npos);
    CHECK(text.find(std::to_string(::getpid())) == std::string::npos);
  }

  TEST_CASE("a lock is stale when its process is gone or it was not refreshed in time") {
    LockInfo lock;
    lock.host = HostName();
    lock.refreshed = static_cast<int64_t>(std::time(nullptr));
    lock.pid = ::getpid();
    CHECK_FALSE(VaultLock::IsStale(lock, {}));  // this very process: alive

    pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    REQUIRE(child > 0);
    REQUIRE(::waitpid(child, nullptr, 0) == child);
    lock.pid = child;  // exited and reaped: gone
    CHECK(VaultLock::IsStale(lock, {}));

    LockInfo remote;
    remote.host = "another-machine.invalid";
    remote.pid = 1;
    remote.refreshed = static_cast<int64_t>(std::time(nullptr)) - 60;
    CHECK_FALSE(VaultLock::IsStale(remote, {}));  // refreshed a minute ago
    remote.refreshed -= 31 * 60;
    CHECK(VaultLock::IsStale(remote, {}));  // silent for over half an hour
  }
}
