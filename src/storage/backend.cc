#include "gptvault/storage/backend.h"

#include <string_view>

namespace gptvault::storage {

Result<std::unique_ptr<Backend>> OpenBackend(const std::string& location) {
  if (location.empty()) return Status::InvalidArgument("no vault location given");
  if (std::string_view(location).starts_with("s3://")) {
    return Status::NotSupported("S3 vaults are not supported yet");
  }
  return NewLocalBackend(location);
}

}  // namespace gptvault::storage
