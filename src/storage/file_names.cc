#include "gptvault/storage/file_names.h"

namespace gptvault::storage {

namespace {

bool IsLowerHex(std::string_view s, size_t digits) {
  if (s.size() != digits) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// `folder` "/" exactly `digits` lower-case hex digits.
bool IsFolderHex(std::string_view folder, std::string_view name, size_t digits) {
  return name.size() == folder.size() + 1 + digits && name.starts_with(folder) &&
         name[folder.size()] == '/' && IsLowerHex(name.substr(folder.size() + 1), digits);
}

}  // namespace

bool IsHashName(std::string_view folder, std::string_view name) {
  return IsFolderHex(folder, name, 64);
}

bool IsKeyName(std::string_view name) { return IsFolderHex("keys", name, 32); }

bool IsLockName(std::string_view name) { return IsFolderHex("locks", name, 32); }

std::string RandomIdOf(std::string_view name) {
  if (!IsKeyName(name) && !IsLockName(name)) return "";
  return std::string(name.substr(name.size() - 32));
}

}  // namespace gptvault::storage
