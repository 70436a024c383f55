// Backends for tests: an in-memory one, and a wrapper that injects faults
// (leveldb's FaultInjectionTestEnv in spirit) so tests can fail any write
// and corrupt any read.
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
    if (offset > it->second.size() || length > it->second.size() - offset) {
      return Status::Corruption("short file " + name);
    }
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

  // Direct access for tampering (not while another thread uses the backend).
  std::map<std::string, Bytes>& files() { return files_; }

 private:
  std::mutex mu_;
  std::map<std::string, Bytes> files_;
};

// What goes wrong with one put.
enum class PutFault {
  kNone,
  kIOError,   // fails, nothing stored
  kNoSpace,   // fails with ENOSPC, nothing stored
  kTruncate,  // stores the first half and reports success: a lying disk or sync client
};

// What goes wrong with one read (Get or GetRange).
enum class ReadFault {
  kNone,
  kFlipBit,    // one bit in the middle of what is returned
  kOtherFile,  // the same range of another file of the same folder (or flipped if none)
};

// Forwards to `target`, injecting the faults the hooks ask for. Counters
// number the puts and reads from 1.
class FaultyBackend : public storage::Backend {
 public:
  explicit FaultyBackend(storage::Backend& target) : target_(target) {}

  // The original hook: true fails the put with ENOSPC.
  std::function<bool(const std::string& name, int put_number)> fail_put;
  std::function<PutFault(const std::string& name, int put_number)> put_fault;
  std::function<ReadFault(const std::string& name, int read_number)> read_fault;
  // True fails the delete with an I/O error, leaving the file.
  std::function<bool(const std::string& name, int delete_number)> fail_delete;
  int puts = 0;
  int reads = 0;
  int deletes = 0;
  std::map<std::string, int> reads_of;  // Get and GetRange calls, by file name

  Status Put(const std::string& name, ByteView data) override {
    ++puts;
    PutFault fault = put_fault ? put_fault(name, puts) : PutFault::kNone;
    if (fail_put && fail_put(name, puts)) fault = PutFault::kNoSpace;
    switch (fault) {
      case PutFault::kNone:
        return target_.Put(name, data);
      case PutFault::kIOError:
        return Status::IOError("cannot write " + name + ": Input/output error");
      case PutFault::kNoSpace:
        return Status::IOError("cannot write " + name + ": No space left on device");
      case PutFault::kTruncate:
        (void)target_.Put(name, data.first(data.size() / 2));
        return Status::Ok();
    }
    return Status::Ok();
  }
  Result<Bytes> Get(const std::string& name) override {
    ReadFault fault = NextReadFault(name);
    auto got = target_.Get(name);
    if (!got.ok() || fault == ReadFault::kNone) return got;
    return Corrupt(name, 0, std::move(got).value(), fault);
  }
  Result<Bytes> GetRange(const std::string& name, uint64_t offset, uint64_t length) override {
    ReadFault fault = NextReadFault(name);
    auto got = target_.GetRange(name, offset, length);
    if (!got.ok() || fault == ReadFault::kNone) return got;
    return Corrupt(name, offset, std::move(got).value(), fault);
  }
  Result<std::vector<storage::FileInfo>> List(const std::string& prefix) override {
    return target_.List(prefix);
  }
  Status Delete(const std::string& name) override {
    ++deletes;
    if (fail_delete && fail_delete(name, deletes)) {
      return Status::IOError("cannot delete " + name + ": Input/output error");
    }
    return target_.Delete(name);
  }
  std::string Describe() const override { return "faulty(" + target_.Describe() + ")"; }

 private:
  ReadFault NextReadFault(const std::string& name) {
    ++reads;
    ++reads_of[name];
    return read_fault ? read_fault(name, reads) : ReadFault::kNone;
  }

  Bytes Corrupt(const std::string& name, uint64_t offset, Bytes bytes, ReadFault fault) {
    if (bytes.empty()) return bytes;
    if (fault == ReadFault::kOtherFile) {
      const std::string folder = name.substr(0, name.find('/') + 1);
      auto files = target_.List(folder);
      if (files.ok()) {
        for (const storage::FileInfo& f : *files) {
          if (f.name == name) continue;
          auto other = target_.GetRange(f.name, offset, bytes.size());
          if (other.ok() && *other != bytes) return std::move(other).value();
        }
      }
    }
    bytes[bytes.size() / 2] ^= 0x10;
    return bytes;
  }

  storage::Backend& target_;
};

// Wraps a backend so a test can hand ownership to Repository::Open while
// keeping the real one.
class BorrowedBackend : public FaultyBackend {
 public:
  using FaultyBackend::FaultyBackend;
};

}  // namespace gptvault::testing
