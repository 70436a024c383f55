#include "gptvault/storage/backend.h"

#include <string_view>

#include "gptvault/storage/s3_backend.h"

namespace gptvault::storage {

Result<std::unique_ptr<Backend>> OpenBackend(const std::string& location) {
  if (location.empty()) return Status::InvalidArgument("no vault location given");
  if (std::string_view(location).starts_with("s3://")) return NewS3Backend(location);
  return NewLocalBackend(location);
}

Status PutImmutable(Backend& backend, const std::string& name, ByteView data) {
  Status s = backend.Put(name, data);
  if (s.code() == Status::Code::kAlreadyExists) return Status::Ok();
  return s;
}

}  // namespace gptvault::storage
