#include "gptvault/storage/checked_backend.h"

#include <algorithm>
#include <mutex>

namespace gptvault::storage {

namespace {

// Enough to catch a file cut anywhere, without re-reading a whole pack.
constexpr uint64_t kTailChecked = 64;

class CheckedBackend final : public Backend {
 public:
  explicit CheckedBackend(std::unique_ptr<Backend> target) : target_(std::move(target)) {}

  Status Put(const std::string& name, ByteView data) override {
    std::lock_guard lock(mu_);
    GV_RETURN_IF_ERROR(target_->Put(name, data));
    if (data.empty()) return Status::Ok();
    const uint64_t n = std::min<uint64_t>(kTailChecked, data.size());
    auto tail = target_->GetRange(name, data.size() - n, n);
    if (tail.ok() && std::equal(tail->begin(), tail->end(), data.end() - n, data.end())) {
      return Status::Ok();
    }
    // The file is there but is not what was written: remove it so nothing
    // can come to rely on it, and fail the write.
    (void)target_->Delete(name);
    std::string why = tail.ok() ? "it reads back different bytes" : tail.status().message();
    return Status::IOError("cannot write " + name + ": the storage did not keep it whole (" + why +
                           ")");
  }
  Result<Bytes> Get(const std::string& name) override {
    std::lock_guard lock(mu_);
    return target_->Get(name);
  }
  Result<Bytes> GetRange(const std::string& name, uint64_t offset, uint64_t length) override {
    std::lock_guard lock(mu_);
    return target_->GetRange(name, offset, length);
  }
  Result<std::vector<FileInfo>> List(const std::string& prefix) override {
    std::lock_guard lock(mu_);
    return target_->List(prefix);
  }
  Status Delete(const std::string& name) override {
    std::lock_guard lock(mu_);
    return target_->Delete(name);
  }
  std::string Describe() const override { return target_->Describe(); }

 private:
  std::mutex mu_;
  std::unique_ptr<Backend> target_;
};

}  // namespace

std::unique_ptr<Backend> NewCheckedBackend(std::unique_ptr<Backend> target) {
  return std::make_unique<CheckedBackend>(std::move(target));
}

}  // namespace gptvault::storage
