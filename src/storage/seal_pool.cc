#include "gptvault/storage/seal_pool.h"

namespace gptvault::storage {

namespace {
// Enough to keep the workers busy between two takes, small enough to stay
// a few megabytes (chunks are at most 64 KiB).
constexpr size_t kMaxInFlight = 64;
// Deltas carry their base along: bytes are bounded too (one job always fits).
constexpr size_t kMaxQueuedBytes = 32 << 20;
}  // namespace

unsigned DefaultSealWorkers() {
  unsigned n = std::thread::hardware_concurrency();
  return n <= 1 ? 0 : std::min(n - 1, 4u);
}

SealPool::SealPool(const crypto::SecretBytes& seal_key, unsigned workers) : seal_key_(seal_key) {
  for (unsigned i = 0; i < workers; ++i) threads_.emplace_back([this] { Work(); });
}

SealPool::~SealPool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  job_ready_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void SealPool::Submit(ObjectType type, const ObjectId& id, ByteView plaintext,
                      const DeltaBase* base) {
  if (threads_.empty()) {
    std::lock_guard lock(mu_);
    done_.push_back({type, id, EncodeObject(seal_key_, type, id, plaintext, base)});
    ++in_flight_;
    return;
  }
  Job job{type, id, Bytes(plaintext.begin(), plaintext.end()), {}};
  if (base) job.base = *base;
  size_t bytes = job.bytes();
  std::unique_lock lock(mu_);
  progress_.wait(lock, [&] {
    return in_flight_ - done_.size() < kMaxInFlight &&
           (queued_bytes_ == 0 || queued_bytes_ + bytes <= kMaxQueuedBytes);
  });
  jobs_.push_back(std::move(job));
  queued_bytes_ += bytes;
  ++in_flight_;
  lock.unlock();
  job_ready_.notify_one();
}

void SealPool::Take(std::vector<Sealed>* out, bool all) {
  std::unique_lock lock(mu_);
  if (all) progress_.wait(lock, [&] { return done_.size() == in_flight_; });
  in_flight_ -= done_.size();
  for (Sealed& s : done_) out->push_back(std::move(s));
  done_.clear();
  lock.unlock();
  progress_.notify_all();
}

void SealPool::Work() {
  for (;;) {
    std::unique_lock lock(mu_);
    job_ready_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, nothing left
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    Bytes blob =
        EncodeObject(seal_key_, job.type, job.id, job.plaintext, job.base ? &*job.base : nullptr);
    lock.lock();
    queued_bytes_ -= job.bytes();
    done_.push_back({job.type, job.id, std::move(blob)});
    lock.unlock();
    progress_.notify_all();
  }
}

}  // namespace gptvault::storage
