#include "raw_inflater.h"

#include <isa-l/igzip_lib.h>

#include <algorithm>
#include <limits>

namespace gptvault::ingest {

namespace {
// ISA-L counts in 32 bits; callers hand pieces of a few MiB at most.
constexpr size_t kMaxStep = std::numeric_limits<uint32_t>::max();
}  // namespace

RawInflater::RawInflater() : state_(new inflate_state) {
  isal_inflate_init(state_.get());
  // Raw deflate with gzip's checksum, which is ZIP's CRC-32, and no trailer.
  state_->crc_flag = IGZIP_GZIP_NO_HDR;
}

RawInflater::~RawInflater() = default;

void RawInflater::Feed(ByteView compressed) {
  state_->next_in = const_cast<uint8_t*>(compressed.data());
  state_->avail_in = static_cast<uint32_t>(std::min(compressed.size(), kMaxStep));
}

bool RawInflater::needs_input() const { return state_->avail_in == 0; }

bool RawInflater::finished() const { return state_->block_state == ISAL_BLOCK_FINISH; }

RawInflater::Step RawInflater::Inflate(uint8_t* out, size_t capacity, size_t* produced) {
  *produced = 0;
  if (finished()) return Step::kFinished;
  const uint32_t in_before = state_->avail_in;
  const auto room = static_cast<uint32_t>(std::min(capacity, kMaxStep));
  state_->next_out = out;
  state_->avail_out = room;
  const int rc = isal_inflate(state_.get());
  *produced = room - state_->avail_out;
  if (rc < 0) return Step::kDamaged;
  if (finished()) return Step::kFinished;
  if (*produced > 0 || state_->avail_in != in_before) return Step::kProgress;
  return Step::kStalled;
}

uint32_t RawInflater::crc() const { return state_->crc; }

}  // namespace gptvault::ingest
