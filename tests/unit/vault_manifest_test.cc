// The manifest's encoding: written without a DOM, it must still be the
// canonical form nlohmann gives (so snapshots share its chunks), and read
// back as it was, for every kind of member.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "gptvault/vault/snapshot.h"

using namespace gptvault;
using vault::Manifest;
using vault::ManifestMember;
using vault::RecipeSegment;

namespace {

storage::ObjectId IdOf(uint8_t fill) {
  storage::ObjectId id;
  id.fill(fill);
  return id;
}

Manifest EveryKindOfMember() {
  Manifest m;
  ManifestMember dir;
  dir.name = "files/";
  dir.directory = true;
  ManifestMember conversations;
  conversations.name = "conversations.json";
  conversations.crc = 0xdeadbeef;
  conversations.conversations = true;
  conversations.glue = {"[", ",\n ", "]\n"};
  conversations.conversation_hashes = {IdOf(1), IdOf(2)};
  ManifestMember html;
  html.name = "chat.html";
  html.crc = 7;
  html.recipe = true;
  RecipeSegment text, chunks, conversation;
  text.kind = RecipeSegment::Kind::kText;
  text.text = "<script>var jsonData = \"quoted\" \\ \x01\xff";
  chunks.kind = RecipeSegment::Kind::kChunks;
  chunks.chunks = {12345, {IdOf(3), IdOf(4)}};
  conversation.kind = RecipeSegment::Kind::kConversation;
  conversation.conversation = IdOf(5);
  html.segments = {text, conversation, chunks};
  ManifestMember file;
  file.name = "file-AbC123-caf\xc3\xa9.png";
  file.crc = 1;
  file.content = {99, {IdOf(6)}};
  ManifestMember nested;
  nested.name = "export.zip";
  nested.nested_export = true;
  ManifestMember inner = file;
  inner.container = "export.zip";
  m.members = {dir, conversations, html, file, nested, inner};
  return m;
}

}  // namespace

TEST_SUITE("vault manifest") {
  TEST_CASE("the manifest is written in the canonical form nlohmann gives, whatever its strings") {
    std::string text = vault::EncodeManifest(EveryKindOfMember());
    CHECK(text == nlohmann::json::parse(text).dump(-1, ' ', false,
                                                   nlohmann::json::error_handler_t::replace));
  }

  TEST_CASE("every kind of member reads back as it was written") {
    const Manifest m = EveryKindOfMember();
    auto back = vault::DecodeManifest(vault::EncodeManifest(m));
    REQUIRE(back.ok());
    REQUIRE(back->members.size() == m.members.size());
    for (size_t i = 0; i < m.members.size(); ++i) {
      CAPTURE(i);
      const ManifestMember& a = m.members[i];
      const ManifestMember& b = back->members[i];
      CHECK(b.name == a.name);
      CHECK(b.container == a.container);
      CHECK(b.directory == a.directory);
      CHECK(b.nested_export == a.nested_export);
      CHECK(b.recipe == a.recipe);
      CHECK(b.conversations == a.conversations);
      if (a.directory || a.nested_export) continue;
      CHECK(b.crc == a.crc);
      CHECK(b.glue == a.glue);
      CHECK(b.conversation_hashes == a.conversation_hashes);
      CHECK(b.content.size == a.content.size);
      CHECK(b.content.chunks == a.content.chunks);
      REQUIRE(b.segments.size() == a.segments.size());
      for (size_t k = 0; k < a.segments.size(); ++k) {
        CHECK(b.segments[k].kind == a.segments[k].kind);
        CHECK(b.segments[k].conversation == a.segments[k].conversation);
        CHECK(b.segments[k].chunks.chunks == a.segments[k].chunks.chunks);
      }
    }
    // The one string that is not valid UTF-8 comes back with U+FFFD, as
    // nlohmann's dump has always written it.
    CHECK(back->members[2].segments[0].text ==
          "<script>var jsonData = \"quoted\" \\ \x01\xef\xbf\xbd");
  }

  TEST_CASE("a large manifest is handed over in pieces far smaller than it, which make its text") {
    Manifest m = EveryKindOfMember();
    ManifestMember& conversations = m.members[1];
    conversations.glue.assign(40001, ",");
    conversations.conversation_hashes.assign(40000, IdOf(8));
    std::string joined;
    size_t pieces = 0, largest = 0;
    REQUIRE(vault::EncodeManifest(m, [&](std::string_view piece) {
              ++pieces;
              largest = std::max(largest, piece.size());
              joined += piece;
              return Status::Ok();
            }).ok());
    CHECK(joined.size() > 2 << 20);
    CHECK(pieces > 4);
    CHECK(largest < (512 << 10));
    CHECK(joined == vault::EncodeManifest(m));
  }
}
