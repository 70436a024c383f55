// Diffing two versions of a conversation: messages added, changed and
// gone by node id, edited prompts and regenerated answers as new branches
// with the current branch of each version, and the title.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "gptvault/ingest/conversation_diff.h"

using namespace gptvault;
using ingest::ConversationDiff;
using ingest::DiffConversations;
using ingest::NewBranch;
using Json = nlohmann::json;

namespace {

Json Message(const std::string& role, const std::string& text, double t) {
  return {{"author", {{"role", role}}},
          {"content", {{"content_type", "text"}, {"parts", {text}}}},
          {"create_time", t},
          {"metadata", Json::object()}};
}

Json Node(const std::string& parent, Json message) {
  return {{"parent", parent.empty() ? Json(nullptr) : Json(parent)},
          {"message", std::move(message)}};
}

// root -> q "how long to proof bread" -> a "about an hour"; current: a.
Json First() {
  Json mapping = {{"root", Node("", nullptr)},
                  {"q", Node("root", Message("user", "how long to proof bread", 10))},
                  {"a", Node("q", Message("assistant", "about an hour", 11))}};
  return {
      {"conversation_id", "c1"}, {"title", "Bread"}, {"current_node", "a"}, {"mapping", mapping}};
}

Json With(Json conv, const std::string& key, Json node, const std::string& current) {
  conv["mapping"][key] = std::move(node);
  conv["current_node"] = current;
  return conv;
}

ConversationDiff Diff(const Json& from, const Json& to) {
  auto d = DiffConversations(from.dump(), to.dump());
  REQUIRE(d.ok());
  return *d;
}

}  // namespace

TEST_SUITE("ingest::DiffConversations") {
  TEST_CASE("the same conversation twice has nothing to report") {
    ConversationDiff d = Diff(First(), First());
    CHECK(d.empty());
    CHECK(d.branches.empty());
    CHECK_FALSE(d.switched);
    CHECK(d.tip_from == "a");
  }

  TEST_CASE("a conversation that grew reports each new message with its text, in order") {
    Json grown = With(First(), "q2", Node("a", Message("user", "and at 30 degrees?", 20)), "q2");
    grown = With(grown, "a2", Node("q2", Message("assistant", "**faster**, 40 minutes", 21)), "a2");
    ConversationDiff d = Diff(First(), grown);
    REQUIRE(d.added.size() == 2);
    CHECK(d.added[0].node == "q2");
    CHECK(d.added[0].who == "User");
    CHECK(d.added[0].role == "user");
    CHECK(d.added[0].text == "and at 30 degrees?");
    CHECK(d.added[0].current);
    CHECK(d.added[1].node == "a2");
    CHECK(d.added[1].parent == "q2");
    CHECK(d.added[1].who == "ChatGPT");
    CHECK(d.added[1].text == "**faster**, 40 minutes");
    CHECK(d.added[1].time == 21);
    CHECK(d.branches.empty());
    CHECK(d.changed.empty());
    CHECK(d.removed.empty());
    CHECK_FALSE(d.switched);  // the current branch grew; it did not move
    CHECK(d.tip_to == "a2");
  }

  TEST_CASE("a regenerated answer is a new branch beside the old answer, with both texts") {
    Json regen = With(First(), "a2", Node("q", Message("assistant", "45 to 90 minutes", 30)), "a2");
    ConversationDiff d = Diff(First(), regen);
    REQUIRE(d.branches.size() == 1);
    const NewBranch& b = d.branches[0];
    CHECK(b.kind == NewBranch::Kind::kRegeneratedAnswer);
    CHECK(std::string(ingest::BranchKindName(b.kind)) == "regenerated_answer");
    CHECK(b.parent_node == "q");
    REQUIRE(b.parent);
    CHECK(b.parent->text == "how long to proof bread");
    REQUIRE(b.before.size() == 1);
    CHECK(b.before[0].text == "about an hour");
    REQUIRE(b.added.size() == 1);
    CHECK(b.added[0].text == "45 to 90 minutes");
    CHECK(b.current_from == "a");
    CHECK(b.current_to == "a2");
    CHECK(d.switched);
    REQUIRE(d.added.size() == 1);
    CHECK(d.added[0].node == "a2");
    // The old answer is still there, on a branch no longer current.
    CHECK(d.removed.empty());
  }

  TEST_CASE("an edited prompt is a new user branch; the old one stays current if it was chosen") {
    Json edited = With(First(), "q2", Node("root", Message("user", "how long to proof rye", 40)),
                       "a");  // the reader went back to the first branch
    edited = With(edited, "a3", Node("q2", Message("assistant", "longer", 41)), "a");
    ConversationDiff d = Diff(First(), edited);
    REQUIRE(d.branches.size() == 1);
    const NewBranch& b = d.branches[0];
    CHECK(b.kind == NewBranch::Kind::kEditedPrompt);
    CHECK(b.parent_node == "root");
    CHECK_FALSE(b.parent);  // the mapping's root holds no message
    CHECK(b.before[0].text == "how long to proof bread");
    CHECK(b.added[0].text == "how long to proof rye");
    CHECK(b.current_from == "q");
    CHECK(b.current_to == "q");
    CHECK_FALSE(d.switched);
    REQUIRE(d.added.size() == 2);
    CHECK_FALSE(d.added[0].current);
    CHECK(d.added[1].node == "a3");
  }

  TEST_CASE("a renamed conversation reports its old and new title, and a title gone is absent") {
    Json renamed = First();
    renamed["title"] = "Sourdough";
    ConversationDiff d = Diff(First(), renamed);
    CHECK(d.title_changed());
    CHECK(d.title_from == "Bread");
    CHECK(d.title_to == "Sourdough");
    CHECK_FALSE(d.empty());
    renamed["title"] = nullptr;
    d = Diff(First(), renamed);
    CHECK(d.title_changed());
    CHECK_FALSE(d.title_to);
  }

  TEST_CASE("a message whose text changed in place, and one gone, are reported by node") {
    Json changed = First();
    changed["mapping"]["a"]["message"]["content"]["parts"] = {"about two hours"};
    changed["mapping"].erase("q");
    changed["mapping"]["a"]["parent"] = "root";
    ConversationDiff d = Diff(First(), changed);
    REQUIRE(d.changed.size() == 1);
    CHECK(d.changed[0].from.text == "about an hour");
    CHECK(d.changed[0].to.text == "about two hours");
    REQUIRE(d.removed.size() == 1);
    CHECK(d.removed[0].node == "q");
    CHECK(d.removed[0].text == "how long to proof bread");
  }

  TEST_CASE("messages the page hides are listed, without text") {
    Json tool = Message("tool", "search results", 50);
    tool["author"]["name"] = "web.run";
    Json grown = With(First(), "t", Node("a", tool), "t");
    ConversationDiff d = Diff(First(), grown);
    REQUIRE(d.added.size() == 1);
    CHECK(d.added[0].who == "Tool (web.run)");
    CHECK_FALSE(d.added[0].shown());
  }

  TEST_CASE("a switch to an existing branch is reported without new messages") {
    Json two = With(First(), "a2", Node("q", Message("assistant", "45 minutes", 30)), "a2");
    Json back = two;
    back["current_node"] = "a";
    ConversationDiff d = Diff(two, back);
    CHECK(d.added.empty());
    CHECK(d.branches.empty());
    CHECK(d.switched);
    CHECK(d.tip_to == "a");
    CHECK_FALSE(d.empty());
  }

  TEST_CASE("without current_node, the current branch ends at the latest leaf, as the renderer's") {
    Json regen = With(First(), "a2", Node("q", Message("assistant", "45 minutes", 30)), "");
    regen.erase("current_node");
    ConversationDiff d = Diff(First(), regen);
    REQUIRE(d.branches.size() == 1);
    CHECK(d.branches[0].current_to == "a2");
  }

  TEST_CASE("a cycle in the parent links is diffed as far as it goes, not refused") {
    Json cyclic = First();
    cyclic["mapping"]["x"] = Node("y", Message("user", "x", 60));
    cyclic["mapping"]["y"] = Node("x", Message("user", "y", 61));
    ConversationDiff d = Diff(First(), cyclic);
    CHECK(d.added.size() == 2);
  }

  TEST_CASE("text that is not a JSON object is refused in one line") {
    auto d = DiffConversations("[1,2]", First().dump());
    CHECK_FALSE(d.ok());
    CHECK(d.status().message().find("older") != std::string::npos);
    auto e = DiffConversations(First().dump(), "{\"mapping\":");
    CHECK_FALSE(e.ok());
    CHECK(e.status().message().find('\n') == std::string::npos);
  }
}
