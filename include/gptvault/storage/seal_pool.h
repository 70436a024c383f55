// SealPool: compresses and seals objects on worker threads while the caller
// goes on reading, splitting and hashing the export, so `add` uses both cores
// of a small machine. Results come back in no particular order; pack layout
// does not depend on it for correctness (every blob is found by the index).
//
// One thread submits and takes; the workers only run EncodeObject, which
// touches nothing shared but the (read-only) seal key.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "gptvault/crypto/secret.h"
#include "gptvault/storage/object_codec.h"

namespace gptvault::storage {

class SealPool {
 public:
  struct Sealed {
    ObjectType type;
    ObjectId id;
    Bytes blob;
  };

  // `seal_key` must outlive the pool. With `workers` == 0 sealing happens in
  // Submit itself.
  SealPool(const crypto::SecretBytes& seal_key, unsigned workers);
  ~SealPool();
  SealPool(const SealPool&) = delete;
  SealPool& operator=(const SealPool&) = delete;

  // Queues `plaintext` (copied, with `base` when given: EncodeObject);
  // blocks while too many objects or bytes are in flight, so memory stays
  // bounded.
  void Submit(ObjectType type, const ObjectId& id, ByteView plaintext,
              const DeltaBase* base = nullptr);
  // Moves finished objects to `out`; with `all`, first waits until every
  // submitted object is finished.
  void Take(std::vector<Sealed>* out, bool all);

 private:
  struct Job {
    ObjectType type;
    ObjectId id;
    Bytes plaintext;
    std::optional<DeltaBase> base;
    size_t bytes() const { return plaintext.size() + (base ? base->bytes.size() : 0); }
  };
  void Work();

  const crypto::SecretBytes& seal_key_;
  std::mutex mu_;
  std::condition_variable job_ready_;
  std::condition_variable progress_;
  std::deque<Job> jobs_;
  std::vector<Sealed> done_;
  size_t in_flight_ = 0;     // submitted, not yet taken
  size_t queued_bytes_ = 0;  // of jobs_ and the jobs being sealed
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// Workers for this machine: one core is left for reading and hashing.
unsigned DefaultSealWorkers();

}  // namespace gptvault::storage
