// SecretBytes: the only home for key material and passphrases. Memory comes
// from sodium_malloc (guard pages, mlock'd, never swapped) and is wiped by
// sodium_free. Move-only; it has no printer and no comparison operator, so
// a secret cannot reach a log by accident.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gptvault/util/bytes.h"

namespace gptvault::crypto {

class SecretBytes {
 public:
  SecretBytes() = default;
  // Zero-filled secret of `size` bytes. Aborts if locked memory is exhausted:
  // continuing with secrets in pageable memory is not an option.
  explicit SecretBytes(size_t size);
  static SecretBytes Random(size_t size);
  static SecretBytes Copy(ByteView from);
  ~SecretBytes();
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  ByteView view() const { return {data_, size_}; }
  std::string_view chars() const { return {reinterpret_cast<const char*>(data_), size_}; }

  // Constant-time equality (sodium_memcmp); sizes are not secret.
  bool Equals(const SecretBytes& other) const;

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Wipes a non-secret buffer that briefly held secret-derived data.
void Wipe(void* data, size_t size);

}  // namespace gptvault::crypto
