#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "gptvault/crypto/crypto.h"
#include "gptvault/storage/chunker.h"

using namespace gptvault;
using namespace gptvault::storage;

namespace {

crypto::SecretBytes FixedKey(uint8_t fill) {
  Bytes k(crypto::kKeySize, fill);
  return crypto::SecretBytes::Copy(k);
}

// Chunk lengths of the whole of `data`, feeding the chunker as a stream would.
std::vector<size_t> Chunk(const Chunker& chunker, ByteView data) {
  std::vector<size_t> sizes;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t cut = chunker.NextCut(data.subspan(pos));
    REQUIRE(cut > 0);
    REQUIRE(cut <= data.size() - pos);
    sizes.push_back(cut);
    pos += cut;
  }
  return sizes;
}

std::set<Bytes> ChunkContents(const Chunker& chunker, ByteView data) {
  std::set<Bytes> out;
  size_t pos = 0;
  for (size_t len : Chunk(chunker, data)) {
    out.emplace(data.begin() + pos, data.begin() + pos + len);
    pos += len;
  }
  return out;
}

}  // namespace

TEST_SUITE("storage.chunker") {
  TEST_CASE("every chunk but the last is between min and max size") {
    Chunker chunker(FixedKey(1));
    const ChunkerParams& p = chunker.params();
    Bytes random = crypto::RandomBytes(4 << 20);
    Bytes zeros(1 << 20, 0);  // no cut points at all: every chunk is max_size
    for (const Bytes* data : {&random, &zeros}) {
      std::vector<size_t> sizes = Chunk(chunker, *data);
      for (size_t i = 0; i + 1 < sizes.size(); ++i) {
        CHECK(sizes[i] > p.min_size);
        CHECK(sizes[i] <= p.max_size);
      }
      CHECK(sizes.back() <= p.max_size);
    }
    std::vector<size_t> zero_sizes = Chunk(chunker, zeros);
    CHECK(std::count(zero_sizes.begin(), zero_sizes.end(), p.max_size) ==
          static_cast<long>(zero_sizes.size()));
  }

  TEST_CASE("data no longer than min size is one chunk, and empty data gives zero") {
    Chunker chunker(FixedKey(1));
    Bytes data = crypto::RandomBytes(chunker.params().min_size);
    CHECK(chunker.NextCut(data) == data.size());
    CHECK(chunker.NextCut(ByteView(data).first(10)) == 10);
    CHECK(chunker.NextCut({}) == 0);
  }

  TEST_CASE("the same data and key always give the same cuts") {
    Bytes data = crypto::RandomBytes(1 << 20);
    Chunker a(FixedKey(7)), b(FixedKey(7));
    CHECK(Chunk(a, data) == Chunk(b, data));
    CHECK(Chunk(a, data) == Chunk(a, data));
  }

  TEST_CASE("a cut does not depend on bytes buffered beyond max size") {
    Chunker chunker(FixedKey(3));
    Bytes data = crypto::RandomBytes(1 << 20);
    const size_t max = chunker.params().max_size;
    CHECK(chunker.NextCut(ByteView(data).first(max)) == chunker.NextCut(data));
  }

  TEST_CASE("a different key gives different cuts") {
    Bytes data = crypto::RandomBytes(1 << 20);
    CHECK(Chunk(Chunker(FixedKey(1)), data) != Chunk(Chunker(FixedKey(2)), data));
  }

  TEST_CASE("inserting bytes near the start leaves most chunks unchanged") {
    Chunker chunker(FixedKey(5));
    Bytes original = crypto::RandomBytes(1 << 20);
    Bytes edited = original;
    edited.insert(edited.begin() + 100, {'a', 'b', 'c'});
    std::set<Bytes> before = ChunkContents(chunker, original);
    std::set<Bytes> after = ChunkContents(chunker, edited);
    size_t kept = 0;
    for (const Bytes& c : before) kept += after.count(c);
    INFO("kept " << kept << " of " << before.size() << " chunks");
    CHECK(kept + 2 >= before.size());
    CHECK(kept >= before.size() * 9 / 10);
  }

  TEST_CASE("the average chunk size of random data is within 30% of avg size") {
    for (uint32_t avg : {4096u, 16384u, 65536u}) {
      ChunkerParams p{avg / 4, avg, avg * 4};
      Chunker chunker(FixedKey(9), p);
      Bytes data = crypto::RandomBytes(avg * 1024);
      std::vector<size_t> sizes = Chunk(chunker, data);
      double mean = static_cast<double>(data.size()) / static_cast<double>(sizes.size());
      INFO("avg " << avg << ": mean chunk " << mean);
      CHECK(mean >= avg * 0.7);
      CHECK(mean <= avg * 1.3);
    }
  }
}
