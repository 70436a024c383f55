#include "gptvault/vault/catalog.h"

#include "json_codec.h"

namespace gptvault::vault {

using namespace detail;

namespace {
// An absent fingerprint is fine; a malformed one is not.
bool GetOptFingerprint(const json& j, std::optional<crypto::Fingerprint>& out) {
  auto it = j.find("fingerprint");
  if (it == j.end()) return true;
  return IdFromJson(*it, out.emplace());
}

json AssetRefsToJson(const std::vector<ConversationVersion::AssetRef>& refs) {
  json out = json::array();
  for (const auto& r : refs) out.push_back({{"id", r.id}, {"name", OptString(r.name)}});
  return out;
}
}  // namespace

std::string EncodeCatalog(const Catalog& catalog) {
  json convs = json::array();
  for (const auto& [id, rec] : catalog.conversations) {
    json versions = json::array();
    for (const ConversationVersion& v : rec.versions) {
      json version = {{"hash", IdToJson(v.hash)},
                      {"content", ChunksToJson(v.content)},
                      {"first_seq", v.first_seq},
                      {"title", OptString(v.title)},
                      {"update_time", OptDouble(v.update_time)},
                      {"messages", v.messages},
                      {"all_messages", v.all_messages},
                      {"branches", v.branches},
                      {"assets", AssetRefsToJson(v.assets)}};
      if (v.delta_depth > 0) version["delta_depth"] = v.delta_depth;
      if (v.fingerprint) version["fingerprint"] = ToHex(*v.fingerprint);
      versions.push_back(std::move(version));
    }
    convs.push_back({{"id", id},
                     {"create_time", OptDouble(rec.create_time)},
                     {"current", rec.current},
                     {"versions", std::move(versions)}});
  }
  json assets = json::array();
  for (const auto& [id, a] : catalog.assets) {
    json asset = {{"id", id},
                  {"name", a.name},
                  {"content", ChunksToJson(a.content)},
                  {"first_seq", a.first_seq}};
    if (a.fingerprint) asset["fingerprint"] = ToHex(*a.fingerprint);
    assets.push_back(std::move(asset));
  }
  return Dump(json{{"format", "gptvault-catalog"},
                   {"version", 1},
                   {"seq", catalog.seq},
                   {"conversations", std::move(convs)},
                   {"assets", std::move(assets)}});
}

Result<Catalog> DecodeCatalog(std::string_view text) {
  try {
    json j = json::parse(text);
    if (j.at("format") != "gptvault-catalog" || j.at("version") != 1) {
      return Status::NotSupported("unknown catalog format");
    }
    Catalog c;
    c.seq = j.at("seq").get<uint64_t>();
    for (const json& e : j.at("conversations")) {
      ConversationRecord rec;
      rec.id = e.at("id").get<std::string>();
      rec.create_time = GetOptDouble(e, "create_time");
      rec.current = e.at("current").get<size_t>();
      for (const json& v : e.at("versions")) {
        ConversationVersion ver;
        if (!IdFromJson(v.at("hash"), ver.hash)) return Status::Corruption("bad catalog hash");
        if (!GetOptFingerprint(v, ver.fingerprint)) {
          return Status::Corruption("bad catalog fingerprint");
        }
        ver.content = ChunksFromJson(v.at("content"));
        ver.first_seq = v.at("first_seq").get<uint64_t>();
        ver.delta_depth = v.value("delta_depth", uint32_t{0});
        ver.title = GetOptString(v, "title");
        ver.update_time = GetOptDouble(v, "update_time");
        ver.messages = v.at("messages").get<uint64_t>();
        ver.all_messages = v.value("all_messages", uint64_t{0});
        ver.branches = v.value("branches", uint64_t{0});
        if (auto it = v.find("assets"); it != v.end()) {
          for (const json& a : *it) {
            ver.assets.push_back({a.at("id").get<std::string>(), GetOptString(a, "name")});
          }
        }
        rec.versions.push_back(std::move(ver));
      }
      if (rec.versions.empty() || rec.current >= rec.versions.size()) {
        return Status::Corruption("catalog entry without a current version");
      }
      std::string id = rec.id;
      c.conversations.emplace(std::move(id), std::move(rec));
    }
    if (auto it = j.find("assets"); it != j.end()) {
      for (const json& a : *it) {
        AssetRecord rec;
        rec.id = a.at("id").get<std::string>();
        rec.name = a.at("name").get<std::string>();
        rec.content = ChunksFromJson(a.at("content"));
        rec.first_seq = a.at("first_seq").get<uint64_t>();
        if (!GetOptFingerprint(a, rec.fingerprint)) {
          return Status::Corruption("bad catalog fingerprint");
        }
        std::string id = rec.id;
        c.assets.emplace(std::move(id), std::move(rec));
      }
    }
    return c;
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("damaged catalog: ") + e.what());
  }
}

}  // namespace gptvault::vault
