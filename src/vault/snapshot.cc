#include "gptvault/vault/snapshot.h"

#include "json_codec.h"

namespace gptvault::vault {

using namespace detail;

std::optional<double> ExportTimeOf(const Snapshot& s, const Catalog& latest) {
  if (s.export_time) return s.export_time;
  std::optional<double> newest;
  for (const auto& [id, rec] : latest.conversations) {
    for (const ConversationVersion& v : rec.versions) {
      if (v.first_seq <= s.seq && v.update_time && (!newest || *v.update_time > *newest)) {
        newest = v.update_time;
      }
    }
  }
  return newest;
}

const Snapshot* NewestExport(const std::vector<Snapshot>& snapshots, const Catalog& latest) {
  const Snapshot* best = nullptr;
  std::optional<double> best_time;
  for (const Snapshot& s : snapshots) {
    std::optional<double> t = ExportTimeOf(s, latest);
    // A missing date sorts before every date; among equals the later seq.
    if (!best || t.value_or(-1e300) >= best_time.value_or(-1e300)) {
      best = &s;
      best_time = t;
    }
  }
  return best;
}

std::string EncodeSnapshot(const Snapshot& s) {
  const AddCounts& c = s.counts;
  json j{{"format", "gptvault-snapshot"},
         {"version", 1},
         {"seq", s.seq},
         {"parent", s.parent.empty() ? json(nullptr) : json(s.parent)},
         {"time", s.time},
         {"source", s.source},
         {"source_size", s.source_size},
         {"layout", s.layout},
         {"export_time", s.export_time ? json(*s.export_time) : json(nullptr)},
         {"catalog", ChunksToJson(s.catalog)},
         {"manifest", ChunksToJson(s.manifest)},
         {"counts",
          {{"conversations", c.conversations},
           {"new", c.new_conversations},
           {"updated", c.updated},
           {"unchanged", c.unchanged},
           {"kept", c.kept},
           {"members", c.members},
           {"attachments_referenced", c.attachments_referenced},
           {"attachments_missing", c.attachments_missing},
           {"attachments_from_earlier", c.attachments_from_earlier},
           {"bytes_read", c.bytes_read},
           {"bytes_stored", c.bytes_stored}}}};
  if (!s.supersedes.empty()) j["supersedes"] = s.supersedes;
  return Dump(j);
}

Result<Snapshot> DecodeSnapshot(std::string_view text) {
  try {
    json j = json::parse(text);
    if (j.at("format") != "gptvault-snapshot" || j.at("version") != 1) {
      return Status::NotSupported("unknown snapshot format");
    }
    Snapshot s;
    s.seq = j.at("seq").get<uint64_t>();
    s.parent = j.at("parent").is_string() ? j.at("parent").get<std::string>() : "";
    s.time = j.at("time").get<std::string>();
    s.source = j.at("source").get<std::string>();
    s.source_size = j.at("source_size").get<uint64_t>();
    s.layout = j.value("layout", "");
    if (auto t = j.find("export_time"); t != j.end() && t->is_number()) {
      s.export_time = t->get<double>();
    }
    if (auto sup = j.find("supersedes"); sup != j.end()) {
      s.supersedes = sup->get<std::vector<std::string>>();
    }
    s.catalog = ChunksFromJson(j.at("catalog"));
    s.manifest = ChunksFromJson(j.at("manifest"));
    const json& c = j.at("counts");
    s.counts.conversations = c.at("conversations").get<uint64_t>();
    s.counts.new_conversations = c.at("new").get<uint64_t>();
    s.counts.updated = c.at("updated").get<uint64_t>();
    s.counts.unchanged = c.at("unchanged").get<uint64_t>();
    s.counts.kept = c.at("kept").get<uint64_t>();
    s.counts.members = c.at("members").get<uint64_t>();
    s.counts.attachments_referenced = c.value("attachments_referenced", uint64_t{0});
    s.counts.attachments_missing = c.value("attachments_missing", uint64_t{0});
    s.counts.attachments_from_earlier = c.value("attachments_from_earlier", uint64_t{0});
    s.counts.bytes_read = c.at("bytes_read").get<uint64_t>();
    s.counts.bytes_stored = c.at("bytes_stored").get<uint64_t>();
    return s;
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("damaged snapshot: ") + e.what());
  }
}

// Written directly (JsonWriter), keys in sorted order: the manifest holds a
// line per archive member and per conversation, and a DOM of it for the
// 1 GB export cost more time and memory than anything else after the ingest.
Status EncodeManifest(const Manifest& m, const TextSink& sink) {
  JsonWriter w(sink);
  w << "{\"format\":\"gptvault-manifest\",\"members\":";
  GV_RETURN_IF_ERROR(w.Array(m.members, [&w](const ManifestMember& mm) -> Status {
    w << "{";
    if (!mm.container.empty()) {
      w << "\"container\":";
      w.String(mm.container);
      w << ",";
    }
    if (mm.nested_export) {
      w << "\"name\":";
      w.String(mm.name);
      w << ",\"nested_export\":true}";
      return Status::Ok();
    }
    if (mm.directory) {
      w << "\"directory\":true,\"name\":";
      w.String(mm.name);
      w << "}";
      return Status::Ok();
    }
    if (mm.recipe) {
      w << "\"crc\":";
      w.Uint(mm.crc);
      w << ",\"name\":";
      w.String(mm.name);
      w << ",\"recipe\":";
      GV_RETURN_IF_ERROR(w.Array(mm.segments, [&w](const RecipeSegment& seg) {
        switch (seg.kind) {
          case RecipeSegment::Kind::kText:
            w << "{\"text\":";
            w.String(seg.text);
            break;
          case RecipeSegment::Kind::kChunks:
            w << "{\"content\":";
            w.Chunks(seg.chunks);
            break;
          case RecipeSegment::Kind::kConversation:
            w << "{\"conversation\":";
            w.Hex(seg.conversation);
            break;
        }
        w << "}";
      }));
      w << "}";
      return Status::Ok();
    }
    if (mm.conversations) {
      w << "\"conversations\":";
      GV_RETURN_IF_ERROR(
          w.Array(mm.conversation_hashes, [&w](const storage::ObjectId& h) { w.Hex(h); }));
      w << ",\"crc\":";
      w.Uint(mm.crc);
      w << ",\"glue\":";
      GV_RETURN_IF_ERROR(w.Array(mm.glue, [&w](const std::string& g) { w.String(g); }));
      w << ",\"name\":";
      w.String(mm.name);
      w << "}";
      return Status::Ok();
    }
    w << "\"content\":";
    w.Chunks(mm.content);
    w << ",\"crc\":";
    w.Uint(mm.crc);
    w << ",\"name\":";
    w.String(mm.name);
    w << "}";
    return Status::Ok();
  }));
  w << ",\"version\":1}";
  return w.Flush();
}

std::string EncodeManifest(const Manifest& m) {
  return WholeText([&m](const TextSink& sink) { return EncodeManifest(m, sink); });
}

Result<Manifest> DecodeManifest(std::string_view text) {
  try {
    json j = json::parse(text);
    if (j.at("format") != "gptvault-manifest" || j.at("version") != 1) {
      return Status::NotSupported("unknown manifest format");
    }
    Manifest m;
    for (const json& e : j.at("members")) {
      ManifestMember mm;
      mm.name = e.at("name").get<std::string>();
      mm.container = e.value("container", "");
      if (e.value("nested_export", false)) {
        mm.nested_export = true;
      } else if (e.value("directory", false)) {
        mm.directory = true;
      } else if (e.contains("recipe")) {
        mm.recipe = true;
        mm.crc = e.at("crc").get<uint32_t>();
        for (const json& j : e.at("recipe")) {
          RecipeSegment seg;
          if (j.contains("text")) {
            seg.kind = RecipeSegment::Kind::kText;
            seg.text = j.at("text").get<std::string>();
          } else if (j.contains("conversation")) {
            seg.kind = RecipeSegment::Kind::kConversation;
            if (!IdFromJson(j.at("conversation"), seg.conversation)) {
              return Status::Corruption("bad manifest recipe hash");
            }
          } else {
            seg.chunks = ChunksFromJson(j.at("content"));
          }
          mm.segments.push_back(std::move(seg));
        }
      } else if (e.contains("conversations")) {
        mm.conversations = true;
        mm.crc = e.at("crc").get<uint32_t>();
        mm.glue = e.at("glue").get<std::vector<std::string>>();
        for (const json& h : e.at("conversations")) {
          storage::ObjectId id;
          if (!IdFromJson(h, id)) return Status::Corruption("bad manifest hash");
          mm.conversation_hashes.push_back(id);
        }
        if (mm.glue.size() != mm.conversation_hashes.size() + 1) {
          return Status::Corruption("manifest recipe does not add up");
        }
      } else {
        mm.crc = e.at("crc").get<uint32_t>();
        mm.content = ChunksFromJson(e.at("content"));
      }
      m.members.push_back(std::move(mm));
    }
    return m;
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("damaged manifest: ") + e.what());
  }
}

}  // namespace gptvault::vault
