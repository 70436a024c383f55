#include "gptvault/storage/file_names.h"

#include <cstring>

#include "gptvault/crypto/crypto.h"

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

std::string PackFileName(std::string_view pack_id) {
  return "data/" + std::string(pack_id.substr(0, 2)) + "/" + std::string(pack_id);
}

std::string HashFileName(std::string_view folder, ByteView bytes) {
  return std::string(folder) + "/" + ToHex(crypto::PlainHash(bytes));
}

bool StartsWithMetaMagic(ByteView file) {
  return file.size() >= kMetaFileMagic.size() &&
         std::memcmp(file.data(), kMetaFileMagic.data(), kMetaFileMagic.size()) == 0;
}

bool IsKeyName(std::string_view name) { return IsFolderHex("keys", name, 32); }

bool IsLockName(std::string_view name) { return IsFolderHex("locks", name, 32); }

std::string RandomIdOf(std::string_view name) {
  if (!IsKeyName(name) && !IsLockName(name)) return "";
  return std::string(name.substr(name.size() - 32));
}

Status CheckStorageName(const std::string& name) {
  auto bad = [&](const char* why) {
    return Status::InvalidArgument("invalid storage name \"" + name + "\": " + why);
  };
  if (name.empty()) return bad("empty");
  if (name.front() == '/') return bad("absolute");
  if (name.find('\\') != std::string::npos) return bad("contains a backslash");
  if (name.find('\0') != std::string::npos) return bad("contains a NUL byte");
  size_t start = 0;
  while (true) {
    const size_t end = name.find('/', start);
    std::string_view part(name.data() + start,
                          (end == std::string::npos ? name.size() : end) - start);
    if (part.empty()) return bad("empty component");
    if (part == "." || part == "..") return bad("contains a . or .. component");
    if (part.starts_with(kTempPrefix)) return bad("reserved temporary name");
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return Status::Ok();
}

std::string SnapshotShortId(std::string_view snapshot_name, size_t chars) {
  constexpr std::string_view kFolder = "snapshots/";
  if (snapshot_name.starts_with(kFolder)) snapshot_name.remove_prefix(kFolder.size());
  return std::string(snapshot_name.substr(0, chars));
}

}  // namespace gptvault::storage
