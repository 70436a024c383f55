// Backends for tests: an in-memory one, and a wrapper that injects faults
// (leveldb's FaultInjectionTestEnv in spirit) so tests can fail any write.
#pragma once

#include <functional>
#include <map>
#include <mutex>

#include "gptvault/storage/backend.h"

namespace gptvault::testing {

class MemBackend : public storage::Backend {
 public:
  Status Put(const std::string& name, ByteView data) override {
    std::lock_guard lock(mu_);
    if (files_.count(name)) return Status::AlreadyExists(name);
    files_[name] = Bytes(data.begin(), data.end());
    return Status::Ok();
  }
  Result<Bytes> Get(const std::string& name) override {
    std::lock_guard lock(mu_);
    auto it = files_.find(name);
    if (it == files_.end()) return Status::NotFound(name);
    return it->second;
  }
  Result<Bytes> GetRange(const std::string& name, uint64_t offset, uint64_t length) override {
    std::lock_guard lock(mu_);
    auto it = files_.find(name);
    if (it == files_.end()) return Status::NotFound(name);
    if (offset + length > it->second.size()) return Status::Corruption("short file " + name);
    return Bytes(it->second.begin() + offset, it->second.begin() + offset + length);
  }
  Result<std::vector<storage::FileInfo>> List(const std::string& prefix) override {
    std::lock_guard lock(mu_);
    std::vector<storage::FileInfo> out;
    for (const auto& [name, data] : files_) {
      if (name.compare(0, prefix.size(), prefix) == 0) out.push_back({name, data.size()});
    }
    return out;
  }
  Status Delete(const std::string& name) override {
    std::lock_guard lock(mu_);
    files_.erase(name);
    return Status::Ok();
  }
  std::string Describe() const override { return "memory"; }

  // Direct access for tampering.
  std::map<std::string, Bytes>& files() { return files_; }

 private:
  std::mutex mu_;
  std::map<std::string, Bytes> files_;
};

// Forwards to `target`; `fail_put` decides, per put, whether it fails.
class FaultyBackend : public storage::Backend {
 public:
  explicit FaultyBackend(storage::Backend& target) : target_(target) {}
  std::function<bool(const std::string& name, int put_number)> fail_put;
  int puts = 0;

  Status Put(const std::string& name, ByteView data) override {
    ++puts;
    if (fail_put && fail_put(name, puts)) {
      return Status::IOError("cannot write " + name + ": No space left on device");
    }
    return target_.Put(name, data);
  }
  Result<Bytes> Get(const std::string& name) override { return target_.Get(name); }
  Result<Bytes> GetRange(const std::string& name, uint64_t offset, uint64_t length) override {
    return target_.GetRange(name, offset, length);
  }
  Result<std::vector<storage::FileInfo>> List(const std::string& prefix) override {
    return target_.List(prefix);
  }
  Status Delete(const std::string& name) override { return target_.Delete(name); }
  std::string Describe() const override { return "faulty(" + target_.Describe() + ")"; }

 private:
  storage::Backend& target_;
};

// Wraps a backend so a test can hand ownership to Repository::Open while
// keeping the real one.
class BorrowedBackend : public FaultyBackend {
 public:
  using FaultyBackend::FaultyBackend;
};

}  // namespace gptvault::testing
