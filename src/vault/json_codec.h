// Shared JSON helpers for the vault's own metadata (catalog, snapshot,
// manifest). Private to the vault layer.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "gptvault/util/bytes.h"
#include "gptvault/util/status.h"
#include "gptvault/vault/catalog.h"

namespace gptvault::vault::detail {

using nlohmann::json;

inline json IdToJson(const storage::ObjectId& id) { return ToHex(id); }

// Ids and fingerprints alike: lowercase hex of exactly N bytes.
template <size_t N>
inline bool IdFromJson(const json& j, std::array<uint8_t, N>& id) {
  if (!j.is_string()) return false;
  auto b = FromHex(j.get_ref<const std::string&>());
  if (!b || b->size() != id.size()) return false;
  std::copy(b->begin(), b->end(), id.begin());
  return true;
}

inline json ChunksToJson(const ChunkList& c) {
  json ids = json::array();
  for (const auto& id : c.chunks) ids.push_back(IdToJson(id));
  return json{{"size", c.size}, {"chunks", std::move(ids)}};
}

// Throws json::exception on a malformed value; callers catch at the module edge.
inline ChunkList ChunksFromJson(const json& j) {
  ChunkList c;
  c.size = j.at("size").get<uint64_t>();
  for (const json& id : j.at("chunks")) {
    storage::ObjectId oid;
    if (!IdFromJson(id, oid)) throw std::runtime_error("bad chunk id");
    c.chunks.push_back(oid);
  }
  return c;
}

inline json OptString(const std::optional<std::string>& s) {
  return s ? json(*s) : json(nullptr);
}
inline json OptDouble(const std::optional<double>& d) { return d ? json(*d) : json(nullptr); }
inline std::optional<std::string> GetOptString(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}
inline std::optional<double> GetOptDouble(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

// Serialises without ever throwing on odd strings.
inline std::string Dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace gptvault::vault::detail
