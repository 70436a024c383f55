#include "gptvault/storage/lock.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <system_error>

#include "gptvault/crypto/crypto.h"
#include "gptvault/storage/file_names.h"
#include "gptvault/storage/object_codec.h"
#include "gptvault/storage/repository.h"
#include "gptvault/util/file.h"

namespace gptvault::storage {

namespace {

using nlohmann::json;

constexpr char kMagic[] = "GVLOCK01";
constexpr size_t kMagicSize = 8;
constexpr char kPurpose[] = "gptvault/lock";

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

std::string Utc(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

// Who we are: host name, process id and boot id of this machine.
LockInfo Me() {
  LockInfo me;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) me.host = host;
  me.pid = ::getpid();
  if (auto boot = ReadFile("/proc/sys/kernel/random/boot_id", 128); boot.ok()) {
    me.boot = std::string(AsChars(*boot));
    while (!me.boot.empty() && (me.boot.back() == '\n' || me.boot.back() == ' ')) {
      me.boot.pop_back();
    }
  }
  return me;
}

Bytes Encode(const crypto::SecretBytes& seal_key, const LockInfo& info) {
  std::string text = json{
      {"host", info.host},
      {"pid", info.pid},
      {"boot", info.boot},
      {"taken", info.taken},
      {"refreshed",
       info.refreshed}}.dump(-1, ' ', false, json::error_handler_t::replace);
  Bytes out;
  PutBytes(out, AsBytes({kMagic, kMagicSize}));
  PutBytes(out, SealFile(seal_key, kPurpose, AsBytes(text), false));
  return out;
}

Result<LockInfo> Decode(const crypto::SecretBytes& seal_key, const std::string& name,
                        ByteView file) {
  if (file.size() < kMagicSize || std::memcmp(file.data(), kMagic, kMagicSize) != 0) {
    return Status::Corruption(name + " is not a gptvault lock file");
  }
  auto plain = OpenFile(seal_key, kPurpose, file.subspan(kMagicSize));
  if (!plain.ok()) return Status::Corruption(name + " failed authentication");
  try {
    json j = json::parse(AsChars(*plain));
    LockInfo info;
    info.name = name;
    info.host = j.at("host").get<std::string>();
    info.pid = j.at("pid").get<int64_t>();
    info.boot = j.at("boot").get<std::string>();
    info.taken = j.at("taken").get<int64_t>();
    info.refreshed = j.at("refreshed").get<int64_t>();
    return info;
  } catch (const std::exception&) {
    return Status::Corruption(name + " is a damaged lock file");
  }
}

std::string NewLockName() { return "locks/" + ToHex(crypto::RandomBytes(16)); }

std::string Where(const LockInfo& l) {
  static const LockInfo me = Me();
  return l.host == me.host ? "on this machine" : "on host " + l.host;
}

std::string Describe(const LockInfo& l) {
  return "since " + Utc(l.taken) + " (process " + std::to_string(l.pid) + " " + Where(l) + ")";
}

// The live locks other than `own`; stale ones are deleted on the way.
Result<std::vector<LockInfo>> LiveOthers(Backend& backend, const crypto::SecretBytes& seal_key,
                                         const std::string& own, const LockOptions& options) {
  GV_ASSIGN_OR_RETURN(auto locks, VaultLock::ListLocks(backend, seal_key));
  std::vector<LockInfo> live;
  for (LockInfo& l : locks) {
    if (l.name == own) continue;
    if (VaultLock::IsStale(l, options)) {
      (void)backend.Delete(l.name);
    } else {
      live.push_back(std::move(l));
    }
  }
  return live;
}

}  // namespace

Result<std::vector<LockInfo>> VaultLock::ListLocks(Backend& backend,
                                                   const crypto::SecretBytes& seal_key) {
  GV_ASSIGN_OR_RETURN(auto files, backend.List("locks/"));
  std::vector<LockInfo> out;
  for (const FileInfo& f : files) {
    // Names that are not lock names (a sync client's copies) and files that
    // do not open under this vault's key cannot be a writer of this vault.
    if (!IsLockName(f.name)) continue;
    auto bytes = backend.Get(f.name);
    if (!bytes.ok()) continue;  // released meanwhile
    auto info = Decode(seal_key, f.name, *bytes);
    if (info.ok()) out.push_back(std::move(info).value());
  }
  return out;
}

bool VaultLock::IsStale(const LockInfo& lock, const LockOptions& options) {
  static const LockInfo me = Me();
  if (!lock.host.empty() && lock.host == me.host) {
    if (!lock.boot.empty() && !me.boot.empty() && lock.boot != me.boot) return true;
    if (lock.pid > 0 && ::kill(static_cast<pid_t>(lock.pid), 0) != 0 && errno == ESRCH) {
      return true;
    }
  }
  return Now() - lock.refreshed > options.stale_after.count();
}

VaultLock::VaultLock(Backend& backend, crypto::SecretBytes seal_key, LockInfo self,
                     LockOptions options)
    : backend_(backend),
      seal_key_(std::move(seal_key)),
      options_(options),
      self_(std::move(self)) {}

Result<std::unique_ptr<VaultLock>> VaultLock::AcquireWithMasterKey(
    Backend& backend, const crypto::SecretBytes& master, const LockOptions& options) {
  return Acquire(backend, crypto::DeriveSubkey(master, crypto::KeyPurpose::kObjectSeal), options);
}

Result<std::unique_ptr<VaultLock>> VaultLock::Acquire(Backend& backend,
                                                      const crypto::SecretBytes& seal_key,
                                                      const LockOptions& options) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + options.wait;
  LockInfo self = Me();
  self.taken = Now();
  bool told = false;  // options.on_wait
  for (;;) {
    self.name = NewLockName();
    self.refreshed = Now();
    Status put = backend.Put(self.name, Encode(seal_key, self));
    if (!put.ok()) return put.WithContext("cannot take the vault's writer lock");
    auto others = LiveOthers(backend, seal_key, self.name, options);
    if (others.ok() && others->empty()) break;
    (void)backend.Delete(self.name);
    if (!others.ok()) return others.status().WithContext("cannot take the vault's writer lock");
    const Clock::time_point now = Clock::now();
    const LockInfo& oldest =
        *std::min_element(others->begin(), others->end(),
                          [](const LockInfo& a, const LockInfo& b) { return a.taken < b.taken; });
    if (now < deadline && options.on_wait && !told) {
      told = true;
      const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(options.wait).count();
      options.on_wait("waiting up to " + std::to_string(seconds) + " s for the writer started " +
                      Utc(oldest.taken) + " by process " + std::to_string(oldest.pid) + " " +
                      Where(oldest));
    }
    if (now >= deadline) {
      return Status::Locked("another gptvault is writing to this vault " + Describe(oldest) +
                            "; try again once it has finished");
    }
    // Random back-off, so two writers that keep meeting drift apart.
    uint8_t r = 0;
    crypto::RandomBytes(&r, 1);
    auto pause = std::chrono::milliseconds(100 + 2 * r);
    std::this_thread::sleep_for(std::min<Clock::duration>(pause, deadline - now));
  }
  std::unique_ptr<VaultLock> lock(
      new VaultLock(backend, crypto::SecretBytes::Copy(seal_key.view()), self, options));
  try {
    lock->refresher_ = std::thread([l = lock.get()] { l->RefreshLoop(); });
  } catch (const std::system_error& e) {
    return Status::IOError(std::string("cannot start the lock refresher: ") + e.what());
  }
  return lock;
}

void VaultLock::RefreshLoop() {
  std::unique_lock guard(mu_);
  while (!stop_) {
    if (stop_cv_.wait_for(guard, options_.refresh_every, [this] { return stop_; })) break;
    LockInfo next = self_;
    next.name = NewLockName();
    next.refreshed = Now();
    guard.unlock();
    // The new file first, so the lock is never absent; a failed refresh is
    // retried next time (the lock only goes stale after several).
    bool ok = backend_.Put(next.name, Encode(seal_key_, next)).ok();
    if (ok) (void)backend_.Delete(self_.name);
    guard.lock();
    if (ok) self_ = std::move(next);
  }
}

std::string VaultLock::name() const {
  std::lock_guard guard(mu_);
  return self_.name;
}

VaultLock::~VaultLock() {
  {
    std::lock_guard guard(mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (refresher_.joinable()) refresher_.join();
  (void)backend_.Delete(self_.name);
}

Result<std::unique_ptr<VaultLock>> Repository::AcquireLock(const LockOptions& options) {
  GV_ASSIGN_OR_RETURN(auto lock, VaultLock::Acquire(backend(), seal_key_, options));
  // Index files other writers committed since this repository was opened.
  GV_RETURN_IF_ERROR(LoadIndex());
  return lock;
}

Result<std::vector<LockInfo>> Repository::Locks() {
  return VaultLock::ListLocks(backend(), seal_key_);
}

}  // namespace gptvault::storage
