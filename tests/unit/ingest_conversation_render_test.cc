// Rendering a conversation for reading (restore --format md|html): the
// current branch only, in order, without what the ChatGPT page hides, with
// every export string escaped in HTML.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "gptvault/ingest/conversation.h"
#include "gptvault/ingest/conversation_render.h"

using namespace gptvault;
using ingest::RenderConversation;
using ingest::RenderFormat;
using Json = nlohmann::json;

namespace {

Json Message(const std::string& role, Json content, Json extra = Json::object()) {
  Json m = {{"id", "m"},
            {"author", {{"role", role}}},
            {"content", std::move(content)},
            {"create_time", 1714585031.5},
            {"metadata", Json::object()}};
  for (auto& [k, v] : extra.items()) m[k] = v;
  return m;
}

Json Text(const std::string& s) { return {{"content_type", "text"}, {"parts", {s}}}; }

// root -> hidden system -> user "the question" -> two answers; the current
// node is the regenerated one.
Json Branched() {
  Json mapping = {
      {"root", {{"id", "root"}, {"message", nullptr}, {"parent", nullptr}}},
      {"sys",
       {{"id", "sys"},
        {"parent", "root"},
        {"message", Message("system", Text("You are ChatGPT, hidden context"))}}},
      {"q", {{"id", "q"}, {"parent", "sys"}, {"message", Message("user", Text("the question"))}}},
      {"a1",
       {{"id", "a1"}, {"parent", "q"}, {"message", Message("assistant", Text("first answer"))}}},
      {"a2",
       {{"id", "a2"}, {"parent", "q"}, {"message", Message("assistant", Text("second answer"))}}},
  };
  return {{"id", "c1"},
          {"conversation_id", "c1"},
          {"title", "Bread"},
          {"create_time", 1714585031.1},
          {"update_time", 1714585060.8},
          {"current_node", "a2"},
          {"mapping", mapping}};
}

std::string Md(const Json& conv, const ingest::AssetLink& link = nullptr) {
  auto r = RenderConversation(conv.dump(), RenderFormat::kMarkdown, link);
  REQUIRE(r.ok());
  return *r;
}

std::string Html(const Json& conv, const ingest::AssetLink& link = nullptr) {
  auto r = RenderConversation(conv.dump(), RenderFormat::kHtml, link);
  REQUIRE(r.ok());
  return *r;
}

// A conversation of one user message, then `m` as the current node.
Json Then(Json m) {
  Json c = Branched();
  c["mapping"]["x"] = {{"id", "x"}, {"parent", "a2"}, {"message", std::move(m)}};
  c["current_node"] = "x";
  return c;
}

}  // namespace

TEST_SUITE("ingest::RenderConversation") {
  TEST_CASE("Markdown shows the title and the current branch in order, not the other branch") {
    std::string md = Md(Branched());
    CHECK(md.starts_with("# Bread\n"));
    REQUIRE(md.find("the question") != std::string::npos);
    REQUIRE(md.find("second answer") != std::string::npos);
    CHECK(md.find("the question") < md.find("second answer"));
    CHECK(md.find("first answer") == std::string::npos);
    CHECK(md.find("hidden context") == std::string::npos);
    CHECK(md.find("### User · 2024-05-01 17:37 UTC") != std::string::npos);
  }

  TEST_CASE("without a usable current_node the latest leaf's branch is shown") {
    Json c = Branched();
    c["mapping"]["a1"]["message"]["create_time"] = 1714599999.0;
    c["current_node"] = "gone";
    std::string md = Md(c);
    CHECK(md.find("first answer") != std::string::npos);
    CHECK(md.find("second answer") == std::string::npos);
  }

  TEST_CASE("a parent cycle ends the branch instead of looping") {
    Json c = Branched();
    c["mapping"]["q"]["parent"] = "a2";
    std::string md = Md(c);
    CHECK(md.find("second answer") != std::string::npos);
  }

  TEST_CASE(
      "what the page hides is not shown: tool calls, search results, reasoning, hidden context") {
    Json c = Branched();
    auto& m = c["mapping"];
    auto add = [&](const std::string& id, const std::string& parent, Json msg) {
      m[id] = {{"id", id}, {"parent", parent}, {"message", std::move(msg)}};
    };
    add("t1", "a2",
        Message("assistant", {{"content_type", "code"}, {"text", "search(\"bread\")"}},
                {{"recipient", "browser"}}));
    add("t2", "t1",
        Message("tool", {{"content_type", "tether_browsing_display"}, {"result", "RESULTS"}},
                {{"author", {{"role", "tool"}, {"name", "browser"}}}}));
    add("t3", "t2",
        Message("assistant", {{"content_type", "thoughts"}, {"thoughts", Json::array()}}));
    add("t4", "t3",
        Message("user", Text("SECRET CONTEXT"),
                {{"metadata", {{"is_visually_hidden_from_conversation", true}}}}));
    add("t5", "t4",
        Message("tool", Text("Model set context updated."),
                {{"author", {{"role", "tool"}, {"name", "bio"}}}}));
    add("t6", "t5", Message("assistant", Text("the visible reply")));
    c["current_node"] = "t6";
    std::string md = Md(c);
    CHECK(md.find("the visible reply") != std::string::npos);
    for (const char* hidden : {"search(", "RESULTS", "SECRET CONTEXT", "Model set context"}) {
      CAPTURE(hidden);
      CHECK(md.find(hidden) == std::string::npos);
    }
  }

  TEST_CASE("code run in Python is shown with its output, in fences code cannot close") {
    Json c = Branched();
    auto& m = c["mapping"];
    m["p1"] = {
        {"id", "p1"},
        {"parent", "a2"},
        {"message",
         Message("assistant",
                 {{"content_type", "code"}, {"language", "python"}, {"text", "print('```')"}},
                 {{"recipient", "python"}})}};
    m["p2"] = {{"id", "p2"},
               {"parent", "p1"},
               {"message", Message("tool", {{"content_type", "execution_output"}, {"text", "```"}},
                                   {{"author", {{"role", "tool"}, {"name", "python"}}}})}};
    c["current_node"] = "p2";
    std::string md = Md(c);
    CHECK(md.find("````python\nprint('```')\n````\n") != std::string::npos);
    CHECK(md.find("````output\n```\n````\n") != std::string::npos);
  }

  TEST_CASE("an image links to where it was written, and is only named when it was not") {
    Json img = {{"content_type", "multimodal_text"},
                {"parts",
                 {{{"content_type", "image_asset_pointer"},
                   {"asset_pointer", "file-service://file-AbC123"}},
                  "look at this"}}};
    Json c = Then(Message("user", img));
    ingest::AssetLink written = [](const std::string& id) -> std::optional<std::string> {
      if (id == "file-AbC123") return "files/photo one.png";
      return std::nullopt;
    };
    std::string md = Md(c, written);
    CHECK(md.find("![photo one.png](<files/photo one.png>)") != std::string::npos);
    CHECK(md.find("look at this") != std::string::npos);
    CHECK(Md(c).find("*[image: file-AbC123]*") != std::string::npos);
    std::string html = Html(c, written);
    CHECK(html.find("<img src=\"files/photo%20one.png\" alt=\"photo one.png\">") !=
          std::string::npos);
  }

  TEST_CASE("a file attached to a message is listed under its original name") {
    Json c = Then(Message(
        "user", Text("see the pdf"),
        {{"metadata",
          {{"attachments",
            {{{"id", "file-Pdf1"}, {"name", "report.pdf"}, {"mime_type", "application/pdf"}}}}}}}));
    CHECK(Md(c).find("*[file: report.pdf]*") != std::string::npos);
  }

  TEST_CASE("HTML escapes every string from the export and runs no script") {
    Json c =
        Then(Message("user", Text("</div><script>alert(1)</script><img src=x onerror=alert(2)>")));
    c["title"] = "<script>alert('title')</script>";
    c["mapping"]["x"]["message"]["author"]["role"] = "<b>role</b>";
    std::string html = Html(c);
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("<img src=x") == std::string::npos);
    CHECK(html.find("<b>") == std::string::npos);
    CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
    CHECK(html.find("default-src 'none'") != std::string::npos);
  }

  TEST_CASE("a quoted page links only to web addresses") {
    Json quote = {{"content_type", "tether_quote"},
                  {"url", "javascript:alert(1)"},
                  {"title", "Evil"},
                  {"text", "quoted words"}};
    Json c = Then(Message("tool", quote, {{"author", {{"role", "tool"}, {"name", "browser"}}}}));
    std::string html = Html(c);
    CHECK(html.find("quoted words") != std::string::npos);
    CHECK(html.find("javascript:") == std::string::npos);
    c["mapping"]["x"]["message"]["content"]["url"] = "https://example.org/a?b=\"c\"";
    CHECK(Html(c).find("href=\"https://example.org/a?b=&quot;c&quot;\"") != std::string::npos);
  }

  TEST_CASE("citation markers and control bytes leave no residue") {
    Json c =
        Then(Message("assistant", Text("Paris\xEE\x88\x80"
                                       "cite\xEE\x88\x82turn0search3\xEE\x88\x81 is big\x01.")));
    std::string md = Md(c);
    CHECK(md.find("Paris is big.") != std::string::npos);
    CHECK(md.find("turn0search3") == std::string::npos);
  }

  TEST_CASE("an unknown content type shows its text, or says it is kept") {
    CHECK(Md(Then(Message("assistant", {{"content_type", "hologram"}, {"text", "beam me"}})))
              .find("beam me") != std::string::npos);
    CHECK(Md(Then(Message("assistant", {{"content_type", "hologram"}, {"shape", 3}})))
              .find("[hologram: not shown here; the JSON form keeps it]") != std::string::npos);
  }

  TEST_CASE(
      "odd but real conversations render: no title, no mapping, lone surrogates, deep nesting") {
    Json c = Branched();
    c["title"] = nullptr;
    c.erase("mapping");
    CHECK(Md(c).starts_with("# Untitled conversation\n"));

    std::string lone = Branched().dump();
    lone.replace(lone.find("second answer"), 6, "\\ud83d!");
    auto r = RenderConversation(lone, RenderFormat::kMarkdown, nullptr);
    REQUIRE(r.ok());
    CHECK(r->find("\xEF\xBF\xBD! answer") != std::string::npos);

    std::string deep = Branched().dump();
    deep.insert(deep.size() - 1,
                ",\"deep\":" + std::string(100000, '[') + std::string(100000, ']'));
    CHECK(RenderConversation(deep, RenderFormat::kHtml, nullptr).ok());
  }

  TEST_CASE("what is not a JSON object is refused in one line") {
    for (const char* bad : {"[1,2]", "{\"title\":", "not json", ""}) {
      CAPTURE(bad);
      auto r = RenderConversation(bad, RenderFormat::kMarkdown, nullptr);
      REQUIRE(!r.ok());
      CHECK(r.status().code() == Status::Code::kInvalidArgument);
      CHECK(r.status().message().find('\n') == std::string::npos);
    }
  }
}

TEST_SUITE("ingest: one current branch") {
  // The review's probe: no current_node, two leaves of one time. The summary
  // (what `list` counts) meets the mapping in document order, the renderer in
  // key order; both must end the branch at the same leaf, in either order.
  TEST_CASE("the summary and the rendering pick the same branch when two leaves tie") {
    const std::string root = R"("root": {"id": "root", "parent": null, "message": null})";
    auto node = [](const char* id, const char* parent, const char* text) {
      return std::string("\"") + id + R"(": {"id": ")" + id + R"(", "parent": ")" + parent +
             R"(", "message": {"id": ")" + id +
             R"(", "author": {"role": "user"}, "create_time": 1714585031.5, "content":)" +
             R"( {"content_type": "text", "parts": [")" + text + R"("]}}})";
    };
    const std::string mid = node("mid", "root", "on the long branch");
    const std::string z = node("z-leaf", "mid", "from z");
    const std::string a = node("a-leaf", "root", "from a");
    for (const std::string& mapping :
         {root + ", " + mid + ", " + z + ", " + a, a + ", " + z + ", " + mid + ", " + root}) {
      const std::string conv =
          R"({"conversation_id": "c", "title": "Tie", "mapping": {)" + mapping + "}}";
      auto info = ingest::ParseConversation(conv);
      REQUIRE(info.ok());
      auto md = RenderConversation(conv, RenderFormat::kMarkdown, nullptr);
      REQUIRE(md.ok());
      const bool shows_a = md->find("from a") != std::string::npos;
      const bool shows_z = md->find("from z") != std::string::npos;
      CHECK(shows_a != shows_z);
      CHECK(info->message_count == (shows_z ? 2u : 1u));
      CHECK(shows_a);  // ties go to the smallest node id
    }
  }
}
