// Finding text in a conversation (list --search): in its title and in what
// its messages say, not in ids or metadata, with a line of context.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "gptvault/ingest/conversation_search.h"

using gptvault::ingest::FindInConversation;
using Json = nlohmann::json;

namespace {

Json Conversation(Json content, const std::string& title = "Kitchen notes") {
  Json message = {{"id", "m-sourdough"},
                  {"author", {{"role", "user"}}},
                  {"content", std::move(content)},
                  {"metadata", {{"model_slug", "gpt-4o"}, {"request_id", "tax-return-id"}}}};
  return {{"id", "conv-sourdough"},
          {"title", title},
          {"current_node", "n1"},
          {"mapping", {{"n1", {{"id", "n1"}, {"parent", nullptr}, {"message", message}}}}}};
}

Json Text(const std::string& s) { return {{"content_type", "text"}, {"parts", {s}}}; }

}  // namespace

TEST_SUITE("ingest::FindInConversation") {
  TEST_CASE("text in a message is found, whatever the case of its ASCII letters") {
    auto hit =
        FindInConversation(Conversation(Text("Filing my Tax Return today")).dump(), "tax return");
    REQUIRE(hit);
    CHECK(*hit == "Filing my Tax Return today");
  }

  TEST_CASE("the title is searched; ids, metadata and part types are not") {
    CHECK(FindInConversation(Conversation(Text("x"), "Bread hydration").dump(), "HYDRATION"));
    for (const char* absent : {"sourdough", "gpt-4o", "tax-return", "content_type", "multimodal"}) {
      CAPTURE(absent);
      Json c = Conversation({{"content_type", "multimodal_text"},
                             {"parts",
                              {{{"content_type", "image_asset_pointer"},
                                {"asset_pointer", "file-service://file-sourdough"}}}}});
      CHECK(!FindInConversation(c.dump(), absent));
    }
  }

  TEST_CASE("code, transcripts and quotes are what a message says, so they are searched") {
    CHECK(FindInConversation(
        Conversation({{"content_type", "code"}, {"text", "import numpy"}}).dump(), "numpy"));
    Json voice = {{"content_type", "multimodal_text"},
                  {"parts",
                   {{{"content_type", "audio_transcription"},
                     {"text", "hello there"},
                     {"direction", "in"}}}}};
    CHECK(FindInConversation(Conversation(voice).dump(), "hello there"));
    CHECK(!FindInConversation(Conversation(voice).dump(), "in"));
  }

  TEST_CASE("the context is one line of whole characters around the match") {
    std::string text = std::string(100, 'a') + "\n\xC3\xA9t\xC3\xA9 tax\treturn \xE2\x82\xAC" +
                       std::string(100, 'b');
    auto hit = FindInConversation(Conversation(Text(text)).dump(), "tax return");
    CHECK(!hit);  // a tab is not a space: matching is on the exact text
    hit = FindInConversation(Conversation(Text(text)).dump(), "tax\treturn");
    REQUIRE(hit);
    CHECK(hit->find('\n') == std::string::npos);
    CHECK(hit->find('\t') == std::string::npos);
    CHECK(hit->find("\xC3\xA9t\xC3\xA9 tax return \xE2\x82\xAC") != std::string::npos);
    CHECK(hit->size() < 130);
    CHECK(Json(*hit).dump().size() > 0);  // valid UTF-8, or dump would throw
  }

  TEST_CASE("nothing is found in what is not a conversation, nor for an empty query") {
    CHECK(!FindInConversation(Conversation(Text("tax return")).dump(), ""));
    CHECK(!FindInConversation("{\"title\": \"tax return", "tax"));
    CHECK(!FindInConversation("not json at all", "json"));
  }

  TEST_CASE("a conversation holding lone surrogate escapes is still searched") {
    std::string c = Conversation(Text("before SURROGATE after")).dump();
    c.replace(c.find("SURROGATE"), 9, "\\ud83d tax");
    CHECK(FindInConversation(c, "tax after"));
  }
}
