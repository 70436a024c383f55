// RawInflater: inflates one raw deflate stream (a ZIP member's data) with
// ISA-L's igzip, and computes the CRC-32 of what it produces on the way.
// igzip inflates conversation JSON ~2.3x as fast as zlib on this project's
// machine (1.1 GB/s against 0.48, CRC included), and inflating is the
// largest single cost of `add`. The only file that includes ISA-L's header.
// Private to the ingest layer.
#pragma once

#include <cstdint>
#include <memory>

#include "gptvault/util/bytes.h"

struct inflate_state;

namespace gptvault::ingest {

class RawInflater {
 public:
  RawInflater();
  ~RawInflater();
  RawInflater(const RawInflater&) = delete;
  RawInflater& operator=(const RawInflater&) = delete;

  enum class Step {
    kProgress,  // consumed or produced something
    kStalled,   // needs more input to go on
    kFinished,  // the stream's final block ended; later input is ignored
    kDamaged,   // not valid deflate data
  };

  // Hands over the next compressed bytes; they must stay valid until
  // needs_input(). Call only when needs_input().
  void Feed(ByteView compressed);
  bool needs_input() const;
  // The stream's final block has ended: every byte is out.
  bool finished() const;

  // Inflates into out[0, capacity): `*produced` bytes were written.
  Step Inflate(uint8_t* out, size_t capacity, size_t* produced);

  // CRC-32 (ZIP's, zlib's) of every byte produced so far.
  uint32_t crc() const;

 private:
  std::unique_ptr<inflate_state> state_;  // ~85 KB: on the heap
};

}  // namespace gptvault::ingest
