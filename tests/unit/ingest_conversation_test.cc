#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gptvault/ingest/conversation.h"
#include "gptvault/ingest/export_layout.h"
#include "gptvault/ingest/json_array_splitter.h"

using namespace gptvault;
using namespace gptvault::ingest;

namespace {

namespace fs = std::filesystem;

// shared/fixtures lies beside the repository: found from GPTVAULT_FIXTURES,
// else from this file's path, else from the working directory.
fs::path FixtureDir() {
  if (const char* env = std::getenv("GPTVAULT_FIXTURES")) return env;
  std::vector<fs::path> candidates;
  fs::path here = fs::path(__FILE__);
  if (here.is_absolute()) {
    candidates.push_back(here.parent_path().parent_path().parent_path().parent_path() /
                         "shared/fixtures");
  }
  for (fs::path dir = fs::current_path(); !dir.empty(); dir = dir.parent_path()) {
    candidates.push_back(dir / "shared/fixtures");
    candidates.push_back(dir.parent_path() / "shared/fixtures");
    if (dir == dir.parent_path()) break;
  }
  for (const fs::path& c : candidates) {
    if (fs::exists(c / "danny-avila_LibreChat_chatgpt-tree.json")) return c;
  }
  return {};
}

std::vector<std::string> ConversationsOf(const std::string& fixture) {
  const fs::path dir = FixtureDir();
  REQUIRE_MESSAGE(!dir.empty(), "shared/fixtures not found; set GPTVAULT_FIXTURES");
  std::ifstream in(dir / fixture, std::ios::binary);
  REQUIRE(in.good());
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  std::vector<std::string> elements;
  JsonArraySplitter splitter([&](std::string_view, std::string_view element) {
    elements.emplace_back(element);
    return Status::Ok();
  });
  REQUIRE(splitter.Feed(AsBytes(text)).ok());
  REQUIRE(splitter.Finish().ok());
  return elements;
}

bool HasWarning(const ConversationInfo& info, const std::string& warning) {
  return std::find(info.warnings.begin(), info.warnings.end(), warning) != info.warnings.end();
}

std::string Warnings(const ConversationInfo& info) {
  std::string out;
  for (const std::string& w : info.warnings) out += (out.empty() ? "" : "; ") + w;
  return out;
}

// A conversation with `mapping_json` as its mapping and `extra` fields.
std::string Conversation(const std::string& mapping_json, const std::string& extra) {
  return R"({"id":"c1","title":"T","mapping":)" + mapping_json + (extra.empty() ? "" : ",") +
         extra + "}";
}

// A node; `message_time` < 0 means a null message.
std::string Node(const std::string& id, const std::string& parent, double message_time) {
  std::string message = message_time < 0 ? "null"
                                         : R"({"id":")" + id + R"(","create_time":)" +
                                               std::to_string(message_time) + "}";
  std::string parent_json = parent.empty() ? "null" : "\"" + parent + "\"";
  return "\"" + id + R"(":{"id":")" + id + R"(","message":)" + message + R"(,"parent":)" +
         parent_json + "}";
}

}  // namespace

TEST_SUITE("ingest.conversation") {
  TEST_CASE("the branched May 2024 fixture counts only the messages of its current branch") {
    const std::vector<std::string> conversations =
        ConversationsOf("danny-avila_LibreChat_chatgpt-tree.json");
    REQUIRE(conversations.size() == 1);
    auto info = ParseConversation(conversations[0]);
    REQUIRE(info.ok());
    CHECK(info->id == "d5dc5307-6807-41a0-8b04-4acee626eeb7");
    CHECK(info->title == "Assist user with summary");
    CHECK(info->create_time == doctest::Approx(1714585031.148505));
    CHECK(info->update_time == doctest::Approx(1714585060.879308));
    CHECK(info->node_count == 13);
    // current_node f63b8e17 -> aaa20127 -> db88eddf -> aaa236a3 -> bda8a275
    // -> aaa297ba -> d38605d2 (hidden system message) -> aaa1f70c (root,
    // null message): 7 messages. The other two branches hold 5 more.
    CHECK(info->message_count == 7);
    CHECK_MESSAGE(info->warnings.empty(), Warnings(*info));
  }

  TEST_CASE("the 2025 fixture reads its three conversations, one without a mapping") {
    const std::vector<std::string> conversations =
        ConversationsOf("danny-avila_LibreChat_chatgpt-modern-export.json");
    REQUIRE(conversations.size() == 3);
    struct Expected {
      std::string id, title;
      size_t nodes, messages;
      std::vector<std::string> warnings;
    };
    const std::vector<Expected> expected = {
        // assistant-2 -> user-2 -> assistant-1 -> user-1 -> ctx-node (custom
        // instructions) -> client-created-root (null message).
        {"6b0f0d9c-0000-4000-8000-000000000001", "Deploying the staging cluster", 6, 5, {}},
        {"6b0f0d9c-0000-4000-8000-000000000002", "Corrupted entry", 0, 0, {"no mapping"}},
        {"6b0f0d9c-0000-4000-8000-000000000003", "Weeknight pasta", 3, 2, {}},
    };
    for (size_t i = 0; i < expected.size(); ++i) {
      CAPTURE(i);
      auto info = ParseConversation(conversations[i]);
      REQUIRE(info.ok());
      CHECK(info->id == expected[i].id);
      CHECK(info->title == expected[i].title);
      CHECK(info->node_count == expected[i].nodes);
      CHECK(info->message_count == expected[i].messages);
      CHECK(info->warnings == expected[i].warnings);
    }
  }

  TEST_CASE("odd but real conversations parse, each with its warning") {
    struct Case {
      const char* name;
      std::string json;
      size_t nodes, messages;
      std::vector<std::string> warnings;
    };
    const std::string chain =
        "{" + Node("r", "", -1) + "," + Node("a", "r", 1) + "," + Node("b", "a", 2) + "}";
    const std::vector<Case> cases = {
        {"a healthy chain", Conversation(chain, R"("current_node":"b")"), 3, 2, {}},
        {"no mapping", R"({"id":"c1","title":"T"})", 0, 0, {"no mapping"}},
        {"a null mapping", R"({"id":"c1","title":"T","mapping":null})", 0, 0, {"no mapping"}},
        {"an empty mapping", Conversation("{}", ""), 0, 0, {"mapping is empty"}},
        {"a mapping that is an array",
         Conversation("[1,2]", ""),
         0,
         0,
         {"mapping is not an object"}},
        {"current_node missing", Conversation(chain, ""), 3, 2, {"current_node missing"}},
        {"current_node null",
         Conversation(chain, R"("current_node":null)"),
         3,
         2,
         {"current_node missing"}},
        {"current_node dangling",
         Conversation(chain, R"("current_node":"gone")"),
         3,
         2,
         {"current_node names a missing node"}},
        {"a parent missing from the mapping",
         Conversation("{" + Node("a", "gone", 1) + "," + Node("b", "a", 2) + "}",
                      R"("current_node":"b")"),
         2,
         2,
         {"parent names a missing node"}},
        {"a cycle in parent links",
         Conversation("{" + Node("a", "b", 1) + "," + Node("b", "a", 2) + "}",
                      R"("current_node":"b")"),
         2,
         2,
         {"cycle in parent links"}},
        {"a cycle beside the current branch",
         Conversation("{" + Node("r", "", -1) + "," + Node("a", "r", 1) + "," + Node("x", "y", 1) +
                          "," + Node("y", "x", 1) + "}",
                      R"("current_node":"a")"),
         4,
         1,
         {"cycle in parent links"}},
        {"a node that is its own parent",
         Conversation("{" + Node("a", "a", 1) + "}", R"("current_node":"a")"),
         1,
         1,
         {"cycle in parent links"}},
        {"children naming missing nodes",
         Conversation(R"({"r":{"message":null,"parent":null,"children":["a","x","y"]},)" +
                          Node("a", "r", 1) + "}",
                      R"("current_node":"a")"),
         2,
         1,
         {"children name a missing node (2 times)"}},
        {"nodes that are not objects",
         Conversation(R"({"r":null,"a":5,"b":{"parent":"a","message":{}}})",
                      R"("current_node":"b")"),
         3,
         1,
         {}},
        {"a message that is not an object",
         Conversation(R"({"a":{"message":"text"}})", R"("current_node":"a")"),
         1,
         0,
         {}},
    };
    for (const Case& c : cases) {
      CAPTURE(c.name);
      auto info = ParseConversation(c.json);
      REQUIRE_MESSAGE(info.ok(), info.status().message());
      CHECK(info->node_count == c.nodes);
      CHECK(info->message_count == c.messages);
      CHECK_MESSAGE(info->warnings == c.warnings, Warnings(*info));
    }
  }

  TEST_CASE("without a usable current_node the latest leaf gives the branch") {
    // r -> a -> b (leaf, t=5), and r -> a -> c -> d (leaf, t=4, updated at 9).
    std::string mapping = "{" + Node("r", "", -1) + "," + Node("a", "r", 1) + "," +
                          Node("b", "a", 5) + "," + Node("c", "a", 2) + "," +
                          R"("d":{"message":{"create_time":4,"update_time":9},"parent":"c"}})";
    auto info = ParseConversation(Conversation(mapping, ""));
    REQUIRE(info.ok());
    CHECK(info->message_count == 3);  // d, c, a
    CHECK(HasWarning(*info, "current_node missing"));

    mapping = "{" + Node("r", "", -1) + "," + Node("a", "r", 1) + "," + Node("b", "a", 5) + "," +
              Node("c", "a", 2) + "," + Node("d", "c", 4) + "}";
    info = ParseConversation(Conversation(mapping, R"("current_node":"zzz")"));
    REQUIRE(info.ok());
    CHECK(info->message_count == 2);  // b, a
    CHECK(HasWarning(*info, "current_node names a missing node"));
  }

  TEST_CASE("the id is conversation_id, else id, and must be a non-empty string") {
    struct Case {
      std::string json;
      std::string id;  // empty: refused
    };
    const std::vector<Case> cases = {
        {R"({"conversation_id":"cid","id":"cid","mapping":{}})", "cid"},
        {R"({"id":"only-id","mapping":{}})", "only-id"},
        {R"({"conversation_id":"only-cid","mapping":{}})", "only-cid"},
        {R"({"conversation_id":null,"id":"fallback","mapping":{}})", "fallback"},
        {R"({"conversation_id":"","id":"fallback","mapping":{}})", "fallback"},
        {R"({"conversation_id":7,"id":"fallback","mapping":{}})", "fallback"},
        {R"({"id":7,"mapping":{}})", ""},
        {R"({"id":"","mapping":{}})", ""},
        {R"({"id":{"x":1}})", ""},
        {R"({"title":"no id at all"})", ""},
    };
    for (const Case& c : cases) {
      CAPTURE(c.json);
      auto info = ParseConversation(c.json);
      if (c.id.empty()) {
        REQUIRE(!info.ok());
        CHECK(info.status().code() == Status::Code::kInvalidArgument);
        CHECK(info.status().message() == "conversation has no string conversation_id or id");
      } else {
        REQUIRE(info.ok());
        CHECK(info->id == c.id);
      }
    }
    auto differ = ParseConversation(R"({"conversation_id":"a","id":"b"})");
    REQUIRE(differ.ok());
    CHECK(differ->id == "a");
    CHECK(HasWarning(*differ, "conversation_id and id differ"));
  }

  TEST_CASE("null or missing titles read as absent and an empty one stays empty, with a warning") {
    struct Case {
      std::string field;
      std::optional<std::string> title;
      std::string warning;
    };
    const std::vector<Case> cases = {
        {R"("title":"Tax return 2025 \ud83d\udcb8")", "Tax return 2025 \xF0\x9F\x92\xB8", ""},
        {R"("title":null)", std::nullopt, "no title"},
        {R"("title":"")", std::string(), "no title"},
        {R"("x":1)", std::nullopt, "no title"},
        {R"("title":42)", std::nullopt, "title is not a string"},
        {R"("title":["a"])", std::nullopt, "title is not a string"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.field);
      auto info = ParseConversation(R"({"id":"c","mapping":{},)" + c.field + "}");
      REQUIRE(info.ok());
      CHECK(info->title == c.title);
      CHECK(HasWarning(*info, c.warning) == !c.warning.empty());
    }
  }

  TEST_CASE("times are integers or floats; anything else reads as absent") {
    struct Case {
      std::string value;
      std::optional<double> time;
    };
    const std::vector<Case> cases = {
        {"1714585031.148505", 1714585031.148505},
        {"1714585031", 1714585031.0},
        {"0", 0.0},
        {"null", std::nullopt},
        {R"("2024-05-01T12:00:00Z")", std::nullopt},
        {"true", std::nullopt},
        {"{}", std::nullopt},
    };
    for (const Case& c : cases) {
      CAPTURE(c.value);
      auto info = ParseConversation(R"({"id":"c","create_time":)" + c.value + R"(,"update_time":)" +
                                    c.value + "}");
      REQUIRE(info.ok());
      CHECK(info->create_time == c.time);
      CHECK(info->update_time == c.time);
    }
  }

  TEST_CASE("input that is not one JSON object is refused with one line") {
    const std::vector<std::string> inputs = {
        "",
        "{",
        R"({"id":"c",})",
        R"({"id":"c"} {"id":"d"})",
        R"(["id","c"])",
        R"("c")",
        "42",
        "null",
        "{\"id\":\"c\",\"title\":\"\xC3\x28\"}",  // not UTF-8
        "{\"id\":\"c\",\n\"title\":\"a\nb\"}",    // a raw newline inside a string
    };
    for (const std::string& input : inputs) {
      CAPTURE(input);
      auto info = ParseConversation(input);
      REQUIRE(!info.ok());
      CHECK(info.status().code() == Status::Code::kInvalidArgument);
      CHECK(!info.status().message().empty());
      CHECK(info.status().message().find('\n') == std::string::npos);
      CHECK(info.status().message().find("[json.exception") == std::string::npos);
    }
  }

  TEST_CASE("lone surrogate escapes, as real exports hold, are tolerated") {
    auto info = ParseConversation(R"({"id":"c","title":"half \ud83d pair \\ud83d \udcb8"})");
    REQUIRE_MESSAGE(info.ok(), info.status().message());
    CHECK(info->title == "half \xEF\xBF\xBD pair \\ud83d \xEF\xBF\xBD");
    CHECK(HasWarning(*info, "lone UTF-16 surrogate escape read as U+FFFD (2 times)"));
  }

  TEST_CASE("a message nested 100,000 levels deep parses without exhausting the stack") {
    constexpr size_t kDepth = 100'000;
    const std::string deep = std::string(kDepth, '[') + std::string(kDepth, ']');
    const std::string deep_objects = [] {
      std::string s;
      for (size_t i = 0; i < kDepth; ++i) s += R"({"a":)";
      s += "1";
      s += std::string(kDepth, '}');
      return s;
    }();
    const std::string json = R"({"id":"deep","current_node":"m","mapping":{"m":{"message":)"
                             R"({"content":{"parts":[)" +
                             deep + "," + deep_objects + R"(]}},"parent":null}}})";
    auto info = ParseConversation(json);
    REQUIRE_MESSAGE(info.ok(), info.status().message());
    CHECK(info->id == "deep");
    CHECK(info->message_count == 1);
  }

  TEST_CASE("no input crashes the parser") {
    // Every prefix of a real conversation, and every single-byte corruption
    // of a small one, ends in a value or a one-line error.
    const std::vector<std::string> conversations =
        ConversationsOf("danny-avila_LibreChat_chatgpt-modern-export.json");
    const std::string& text = conversations[2];
    for (size_t n = 0; n <= text.size(); ++n) {
      auto info = ParseConversation(std::string_view(text).substr(0, n));
      CHECK(info.ok() == (n == text.size()));
    }
    for (size_t i = 0; i < text.size(); ++i) {
      for (char c : {'"', '{', '}', '[', ']', ',', ':', '\\', '\0', '\xff'}) {
        std::string mutated = text;
        mutated[i] = c;
        auto info = ParseConversation(mutated);
        if (!info.ok()) CHECK(info.status().message().find('\n') == std::string::npos);
      }
    }
  }

  TEST_CASE("conversations files are recognised by name, single or sharded, at any depth") {
    struct Case {
      const char* name;
      bool match;
    };
    const std::vector<Case> cases = {
        {"conversations.json", true},
        {"conversations-000.json", true},
        {"conversations-12345.json", true},
        {"export/conversations-001.json", true},
        {"User Online Activity/x/conversations.json", true},
        {"conversations-.json", false},
        {"conversations-00a.json", false},
        {"conversations_000.json", false},
        {"shared_conversations.json", false},
        {"Conversations.json", false},
        {"conversations.json.bak", false},
        {"conversations.json/", false},
        {"conversations.jsonl", false},
        {"conversations", false},
        {"", false},
    };
    for (const Case& c : cases) {
      CAPTURE(c.name);
      CHECK(IsConversationsFile(c.name) == c.match);
    }
  }
}
