#include "gptvault/vault/catalog.h"

#include "json_codec.h"

namespace gptvault::vault {

using namespace detail;

std::string EncodeCatalog(const Catalog& catalog) {
  json convs = json::array();
  for (const auto& [id, rec] : catalog.conversations) {
    json versions = json::array();
    for (const ConversationVersion& v : rec.versions) {
      versions.push_back({{"hash", IdToJson(v.hash)},
                          {"content", ChunksToJson(v.content)},
                          {"first_seq", v.first_seq},
                          {"title", OptString(v.title)},
                          {"update_time", OptDouble(v.update_time)},
                          {"messages", v.messages}});
    }
    convs.push_back({{"id", id},
                     {"create_time", OptDouble(rec.create_time)},
                     {"current", rec.current},
                     {"last_seq", rec.last_seq},
                     {"versions", std::move(versions)}});
  }
  return Dump(json{{"format", "gptvault-catalog"},
                   {"version", 1},
                   {"seq", catalog.seq},
                   {"conversations", std::move(convs)}});
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
      rec.last_seq = e.at("last_seq").get<uint64_t>();
      for (const json& v : e.at("versions")) {
        ConversationVersion ver;
        if (!IdFromJson(v.at("hash"), ver.hash)) return Status::Corruption("bad catalog hash");
        ver.content = ChunksFromJson(v.at("content"));
        ver.first_seq = v.at("first_seq").get<uint64_t>();
        ver.title = GetOptString(v, "title");
        ver.update_time = GetOptDouble(v, "update_time");
        ver.messages = v.at("messages").get<uint64_t>();
        rec.versions.push_back(std::move(ver));
      }
      if (rec.versions.empty() || rec.current >= rec.versions.size()) {
        return Status::Corruption("catalog entry without a current version");
      }
      std::string id = rec.id;
      c.conversations.emplace(std::move(id), std::move(rec));
    }
    return c;
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("damaged catalog: ") + e.what());
  }
}

}  // namespace gptvault::vault
