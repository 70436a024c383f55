// Helpers for tests that run whole vault operations: fast key derivation,
// temporary folders, and small export archives written with libzip.
#pragma once

#include <doctest/doctest.h>
#include <stdlib.h>
#include <zip.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gptvault/crypto/crypto.h"
#include "gptvault/storage/repository.h"
#include "gptvault/vault/vault.h"
#include "test_backends.h"

namespace gptvault::testing {

// libsodium's INTERACTIVE limits: the floor the format accepts, and fast
// enough to unlock a vault hundreds of times in a test.
inline crypto::KdfParams FastKdf() {
  crypto::KdfParams p = crypto::DefaultKdfParams();
  p.opslimit = 2;
  p.memlimit = 64 << 20;
  return p;
}

inline crypto::SecretBytes Pass(const char* s) { return crypto::SecretBytes::Copy(AsBytes(s)); }

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "gv-vault-test-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A minimal conversation the ingester accepts.
inline std::string TinyConversation(const std::string& id, const std::string& title) {
  return R"({"id":")" + id + R"(","conversation_id":")" + id + R"(","title":")" + title +
         R"(","create_time":1714585031.1,"update_time":1714585060.8,"mapping":{},)"
         R"("current_node":null})";
}

// Writes an export archive: conversations.json holding `conversations`, plus
// `extra` members (stored, not deflated, so random bytes stay big).
inline void WriteExport(const std::string& path, const std::vector<std::string>& conversations,
                        const std::map<std::string, Bytes>& extra = {}) {
  std::string json = "[";
  for (size_t i = 0; i < conversations.size(); ++i) json += (i ? "," : "") + conversations[i];
  json += "]";
  int error = 0;
  zip_t* za = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  REQUIRE(za != nullptr);
  auto add = [&](const std::string& name, const void* data, size_t size, bool store) {
    zip_source_t* source = zip_source_buffer(za, data, size, 0);
    REQUIRE(source != nullptr);
    zip_int64_t index = zip_file_add(za, name.c_str(), source, ZIP_FL_ENC_UTF_8);
    REQUIRE(index >= 0);
    if (store) {
      REQUIRE(zip_set_file_compression(za, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0) == 0);
    }
  };
  add("conversations.json", json.data(), json.size(), false);
  for (const auto& [name, bytes] : extra) add(name, bytes.data(), bytes.size(), true);
  REQUIRE(zip_close(za) == 0);
}

// Opens the vault in `mem` through `backend` (a FaultyBackend over `mem`).
inline Result<std::unique_ptr<vault::Vault>> OpenVault(std::unique_ptr<storage::Backend> backend,
                                                       vault::OpenOptions options = {}) {
  options.lock.wait = std::chrono::milliseconds(0);
  return vault::Vault::Open(std::move(backend), Pass("pw"), options);
}

inline std::unique_ptr<vault::Vault> MustOpen(MemBackend& mem, vault::OpenOptions options = {}) {
  auto v = OpenVault(std::make_unique<BorrowedBackend>(mem), options);
  REQUIRE_MESSAGE(v.ok(), v.status().message());
  return std::move(v).value();
}

// Every conversation the vault restores: id -> bytes.
inline std::map<std::string, Bytes> RestoreEverything(vault::Vault& v) {
  std::map<std::string, Bytes> out;
  Status s = v.RestoreAll([&](const vault::RestoredConversation& c) {
    out[c.id] = c.bytes;
    return Status::Ok();
  });
  REQUIRE_MESSAGE(s.ok(), s.message());
  return out;
}

}  // namespace gptvault::testing
