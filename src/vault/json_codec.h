// Shared JSON helpers for the vault's own metadata (catalog, snapshot,
// manifest). Private to the vault layer.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>

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

inline json OptString(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }
inline json OptDouble(const std::optional<double>& d) { return d ? json(*d) : json(nullptr); }
// Serialises without ever throwing on odd strings.
inline std::string Dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Writes JSON directly, without a DOM, for the vault's two large metadata
// objects (catalog and manifest). The caller writes keys in sorted order
// and no spaces: then the bytes are exactly what Dump gives for the same
// value, so snapshots written either way share their chunks.
//
// The text goes to a sink in pieces: between the elements of an Array, and
// wherever else the caller marks (Spill), what has been written so far is
// handed over once it exceeds kSpillAt, so a catalog of any size costs no more than a
// piece (it was ~15 MB held whole at the peak of a 10,000-conversation add).
class JsonWriter {
 public:
  explicit JsonWriter(const TextSink& sink) : sink_(sink) { out_.reserve(kSpillAt + kSpillAt / 4); }

  Status Spill() { return out_.size() >= kSpillAt ? Flush() : Status::Ok(); }
  // Hands over whatever is left; the last call of a writer.
  Status Flush() {
    if (out_.empty()) return Status::Ok();
    Status s = sink_(out_);
    out_.clear();
    return s;
  }

  // Plain printable ASCII goes straight in; anything else is escaped (and
  // invalid UTF-8 replaced) exactly as Dump does it.
  void String(std::string_view s) {
    bool plain = true;
    for (char c : s) {
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        plain = false;
        break;
      }
    }
    if (!plain) {
      out_ += Dump(json(std::string(s)));
      return;
    }
    out_ += '"';
    out_ += s;
    out_ += '"';
  }
  void OptString(const std::optional<std::string>& s) {
    if (s) {
      String(*s);
    } else {
      out_ += "null";
    }
  }
  void OptDouble(const std::optional<double>& d) { out_ += d ? Dump(json(*d)) : "null"; }
  void Uint(uint64_t v) { out_ += std::to_string(v); }
  template <size_t N>
  void Hex(const std::array<uint8_t, N>& bytes) {
    out_ += '"';
    out_ += ToHex(bytes);
    out_ += '"';
  }
  // The whole `,"fingerprint":"<hex>"` member, or nothing when absent.
  void OptFingerprint(const std::optional<crypto::Fingerprint>& f) {
    if (!f) return;
    out_ += ",\"fingerprint\":";
    Hex(*f);
  }
  void Chunks(const ChunkList& c) {
    out_ += "{\"chunks\":[";
    for (size_t i = 0; i < c.chunks.size(); ++i) {
      if (i) out_ += ',';
      Hex(c.chunks[i]);
    }
    out_ += "],\"size\":";
    Uint(c.size);
    out_ += '}';
  }
  // `items` as a JSON array, `write` writing each element (returning void,
  // or a Status that stops the array); the text so far is handed over
  // between elements (Spill).
  template <class Items, class Write>
  Status Array(const Items& items, Write write) {
    out_ += '[';
    bool first = true;
    for (const auto& item : items) {
      GV_RETURN_IF_ERROR(Spill());
      if (!first) out_ += ',';
      first = false;
      if constexpr (std::is_void_v<std::invoke_result_t<Write&, decltype(item)>>) {
        write(item);
      } else {
        GV_RETURN_IF_ERROR(write(item));
      }
    }
    out_ += ']';
    return Status::Ok();
  }
  // Punctuation and keys, as they are.
  JsonWriter& operator<<(std::string_view raw) {
    out_ += raw;
    return *this;
  }

 private:
  static constexpr size_t kSpillAt = 256 << 10;
  const TextSink& sink_;
  std::string out_;
};

// Collects a writer's pieces into one string (small texts, and tests).
inline std::string WholeText(const std::function<Status(const TextSink&)>& encode) {
  std::string text;
  (void)encode([&text](std::string_view piece) {
    text += piece;
    return Status::Ok();
  });
  return text;
}

}  // namespace gptvault::vault::detail
