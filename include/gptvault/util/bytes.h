// Byte buffers and the small encodings every layer shares: hex, and
// little-endian integers for the binary formats of docs/FORMAT.md.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gptvault {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

inline ByteView AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view AsChars(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// For unordered containers keyed by bytes that are uniformly random already
// (keyed hashes, PRF outputs): their first 8 bytes are as good a hash as any.
struct UniformBytesHash {
  template <size_t N>
  size_t operator()(const std::array<uint8_t, N>& bytes) const {
    size_t h;
    static_assert(sizeof h <= N);
    __builtin_memcpy(&h, bytes.data(), sizeof h);
    return h;
  }
};

std::string ToHex(ByteView bytes);
// Returns nothing unless `hex` is an even number of [0-9a-f] digits.
std::optional<Bytes> FromHex(std::string_view hex);

void PutU8(Bytes& out, uint8_t v);
void PutU32(Bytes& out, uint32_t v);
void PutU64(Bytes& out, uint64_t v);
void PutBytes(Bytes& out, ByteView v);

// Reads fixed-width little-endian fields from a buffer; every getter fails
// (returns false) rather than reading past the end.
class ByteReader {
 public:
  explicit ByteReader(ByteView data) : data_(data) {}
  bool U8(uint8_t& v);
  bool U32(uint32_t& v);
  bool U64(uint64_t& v);
  bool Take(size_t n, ByteView& v);
  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }

 private:
  ByteView data_;
  size_t pos_ = 0;
};

// "1.5 MB" style sizes for people (decimal units, as file managers show).
std::string HumanBytes(uint64_t n);

}  // namespace gptvault
