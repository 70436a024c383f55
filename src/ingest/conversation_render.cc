#include "gptvault/ingest/conversation_render.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "branch_tip.h"
#include "conversation_view.h"
#include "gptvault/util/time_format.h"
#include "json_text.h"

namespace gptvault::ingest {
namespace {

using Json = nlohmann::json;
using view::Member;
using view::StringAt;
using view::TimeAt;

// Real conversations nest a few dozen levels. Deeper containers are dropped
// while parsing, so that nothing after the parse recurses deeply (the vault
// keeps such conversations; the JSON form restores them whole).
constexpr int kMaxDepth = 200;

// One piece of a shown message.
struct Block {
  enum class Kind { kText, kCode, kQuote, kFile };
  Kind kind = Kind::kText;
  std::string text;    // kText, kCode, kQuote
  std::string label;   // kCode: language or caption; kQuote: title; kFile: file name or id
  std::string url;     // kQuote: the quoted page
  std::string asset;   // kFile: asset id
  bool image = false;  // kFile
  bool audio = false;  // kFile

  static Block Text(std::string text) { return Block{Kind::kText, std::move(text), {}, {}, {}}; }
  static Block Code(std::string text, std::string label) {
    return Block{Kind::kCode, std::move(text), std::move(label), {}, {}};
  }
  static Block Quote(std::string text, std::string title, std::string url) {
    return Block{Kind::kQuote, std::move(text), std::move(title), std::move(url), {}};
  }
  static Block File(std::string asset, std::string label, bool image, bool audio) {
    return Block{Kind::kFile, {}, std::move(label), {}, std::move(asset), image, audio};
  }
};

struct Shown {
  std::string who;
  std::optional<double> time;
  std::vector<Block> blocks;
};

struct Document {
  std::string title;
  std::string id;
  std::optional<double> create_time, update_time;
  std::vector<Shown> messages;
};

bool TrueAt(const Json& j, const char* key) {
  const Json* v = Member(j, key);
  return v && v->is_boolean() && v->get<bool>();
}

// Private-use citation markers (U+E200 ... U+E201, field guide §3.8) are
// dropped whole, so no "citeturn0search3" residue shows; control bytes other
// than newline and tab are dropped too.
std::string Clean(std::string_view s) {
  static constexpr std::string_view kOpen = "\xEE\x88\x80", kClose = "\xEE\x88\x81";
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (s.substr(i, 3) == kOpen) {
      size_t close = s.find(kClose, i + 3);
      i = close == std::string_view::npos ? i + 3 : close + 3;
      continue;
    }
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) {
      ++i;
      continue;
    }
    out.push_back(s[i++]);
  }
  return out;
}

void AddText(std::vector<Block>& blocks, const std::string& text) {
  std::string clean = Clean(text);
  if (clean.find_first_not_of(" \n\t") == std::string::npos) return;
  blocks.push_back(Block::Text(std::move(clean)));
}

void AddFile(std::vector<Block>& blocks, const Json& pointer_part, bool image, bool audio) {
  std::string pointer = StringAt(pointer_part, "asset_pointer");
  if (pointer.empty()) return;
  std::string id = AssetIdOfPointer(pointer).value_or(pointer);
  blocks.push_back(Block::File(id, id, image, audio));
}

void AddPart(std::vector<Block>& blocks, const Json& part) {
  if (part.is_string()) return AddText(blocks, part.get<std::string>());
  const std::string type = StringAt(part, "content_type");
  if (type == "image_asset_pointer") return AddFile(blocks, part, true, false);
  if (type == "audio_asset_pointer") return AddFile(blocks, part, false, true);
  if (type == "video_container_asset_pointer") return AddFile(blocks, part, false, false);
  if (type == "real_time_user_audio_video_asset_pointer") {
    if (const Json* audio = Member(part, "audio_asset_pointer"))
      AddFile(blocks, *audio, false, true);
    if (const Json* video = Member(part, "video_container_asset_pointer")) {
      AddFile(blocks, *video, false, false);
    }
    return;
  }
  AddText(blocks, StringAt(part, "text"));  // audio_transcription, and unknown parts with text
}

void AddParts(std::vector<Block>& blocks, const Json& content) {
  const Json* parts = Member(content, "parts");
  if (!parts || !parts->is_array()) return;
  for (const Json& part : *parts) AddPart(blocks, part);
}

// A canvas document as created (field guide §3.9): its name and text.
void AddCanvas(std::vector<Block>& blocks, const std::string& payload) {
  Json doc = Json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return;
  const std::string text = StringAt(doc, "content");
  if (text.empty()) return;
  blocks.push_back(Block::Code(Clean(text), "Canvas: " + Clean(StringAt(doc, "name"))));
}

// What a message shows, following the field guide's §3.10: nothing for what
// the ChatGPT page hides.
std::vector<Block> BlocksOf(const Json& msg) {
  std::vector<Block> blocks;
  const Json empty = Json::object();
  const Json* meta_p = Member(msg, "metadata");
  const Json& meta = meta_p && meta_p->is_object() ? *meta_p : empty;
  const Json* author_p = Member(msg, "author");
  const Json& author = author_p ? *author_p : empty;
  const Json* content_p = Member(msg, "content");
  const Json& content = content_p ? *content_p : empty;
  const std::string role = StringAt(author, "role");
  const std::string name = StringAt(author, "name");
  const std::string type = StringAt(content, "content_type");
  const Json* recipient_p = Member(msg, "recipient");
  const std::string recipient =
      recipient_p && recipient_p->is_string() ? recipient_p->get<std::string>() : "all";

  if (TrueAt(meta, "is_visually_hidden_from_conversation")) return blocks;
  if (role == "system" && !TrueAt(meta, "is_user_system_message")) return blocks;
  if (role == "tool" && (name == "bio" || name == "web.run" || name == "web.search" ||
                         name.starts_with("canmore."))) {
    return blocks;  // memory updates, search results, canvas acknowledgements
  }
  if (role == "tool" && name.starts_with("browser") && type != "tether_quote") return blocks;
  static const std::unordered_set<std::string> kHiddenTypes = {
      "sonic_webpage", "system_error", "tether_browsing_display", "thoughts", "reasoning_recap"};
  if (kHiddenTypes.contains(type)) return blocks;
  if (role == "assistant" && recipient != "all") {
    // Tool calls are hidden, but for code run in Python (shown with its
    // output) and a canvas created, whose text is the document.
    if (recipient == "python" && type == "code") {
      blocks.push_back(
          Block::Code(Clean(StringAt(content, "text")), Clean(StringAt(content, "language"))));
    } else if (recipient == "canmore.create_textdoc") {
      std::string payload = StringAt(content, "text");
      if (const Json* parts = Member(content, "parts");
          parts && parts->is_array() && !parts->empty() && (*parts)[0].is_string()) {
        payload = (*parts)[0].get<std::string>();
      }
      AddCanvas(blocks, payload);
    }
    return blocks;
  }

  if (type == "text" || type == "multimodal_text") {
    AddParts(blocks, content);
  } else if (type == "code") {
    blocks.push_back(
        Block::Code(Clean(StringAt(content, "text")), Clean(StringAt(content, "language"))));
  } else if (type == "execution_output") {
    blocks.push_back(Block::Code(Clean(StringAt(content, "text")), "output"));
  } else if (type == "tether_quote") {
    blocks.push_back(Block::Quote(Clean(StringAt(content, "text")),
                                  Clean(StringAt(content, "title")), StringAt(content, "url")));
  } else if (type == "user_editable_context") {
    AddText(blocks, StringAt(content, "user_profile"));
    AddText(blocks, StringAt(content, "user_instructions"));
  } else if (type == "model_editable_context") {
    AddText(blocks, StringAt(content, "model_set_context"));
  } else {
    // New content types appear without notice: show their text, if any.
    AddText(blocks, StringAt(content, "text"));
    AddParts(blocks, content);
    if (blocks.empty() && !type.empty()) {
      AddText(blocks, "[" + type + ": not shown here; the JSON form keeps it]");
    }
  }
  if (blocks.empty()) return blocks;  // an empty message shows nothing, attachments neither
  if (const Json* files = Member(meta, "attachments"); files && files->is_array()) {
    for (const Json& f : *files) {
      std::string id = StringAt(f, "id");
      if (id.empty()) continue;
      bool shown = std::any_of(blocks.begin(), blocks.end(), [&](const Block& b) {
        return b.kind == Block::Kind::kFile && b.asset == id;
      });
      if (shown) continue;
      std::string label = StringAt(f, "name").empty() ? id : Clean(StringAt(f, "name"));
      blocks.push_back(
          Block::File(id, std::move(label), StringAt(f, "mime_type").starts_with("image/"), false));
    }
  }
  return blocks;
}

std::string Who(const Json& msg) {
  const Json* author = Member(msg, "author");
  const std::string role = author ? StringAt(*author, "role") : "";
  if (role == "user") return "User";
  if (role == "assistant") return "ChatGPT";
  if (role == "system") return "Custom instructions";
  if (role == "tool") {
    const std::string name = Clean(StringAt(*author, "name"));
    return name.empty() ? "Tool" : "Tool (" + name + ")";
  }
  return role.empty() ? "Unknown" : Clean(role);
}

// The current branch's nodes, root first (view::CurrentBranchIds).
std::vector<const Json*> CurrentBranch(const Json& conv) {
  std::vector<const Json*> branch;
  const Json* mapping = Member(conv, "mapping");
  for (const std::string& id : view::CurrentBranchIds(conv)) branch.push_back(&(*mapping)[id]);
  return branch;
}

Document Read(const Json& conv) {
  Document doc;
  doc.title = Clean(StringAt(conv, "title"));
  std::replace(doc.title.begin(), doc.title.end(), '\n', ' ');
  if (doc.title.find_first_not_of(" \t") == std::string::npos) doc.title = "Untitled conversation";
  doc.id = Clean(StringAt(conv, "conversation_id"));
  if (doc.id.empty()) doc.id = Clean(StringAt(conv, "id"));
  doc.create_time = TimeAt(conv, "create_time");
  doc.update_time = TimeAt(conv, "update_time");
  for (const Json* node : CurrentBranch(conv)) {
    const Json* msg = Member(*node, "message");
    if (!msg || !msg->is_object()) continue;
    Shown s{Who(*msg), TimeAt(*msg, "create_time"), BlocksOf(*msg)};
    if (!s.blocks.empty()) doc.messages.push_back(std::move(s));
  }
  return doc;
}

std::string FormatTime(std::optional<double> t) {
  std::string minute = FormatUtcMinute(t);
  return minute.empty() ? "" : minute + " UTC";
}

std::string Dates(const Document& d) {
  std::string out;
  if (std::string c = FormatTime(d.create_time); !c.empty()) out += " · created " + c;
  if (std::string u = FormatTime(d.update_time); !u.empty()) out += " · updated " + u;
  return out;
}

bool IsWebUrl(const std::string& url) {
  return url.starts_with("https://") || url.starts_with("http://");
}

// A linked file is named by the name it was written under (its original
// name), unless the message gave one.
std::string LinkLabel(const Block& b, const std::string& path) {
  if (b.label != b.asset) return b.label;
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// ---- Markdown -------------------------------------------------------------

// A fence longer than any run of backticks inside, so code cannot end it.
std::string Fence(const std::string& code) {
  size_t longest = 0, run = 0;
  for (char c : code) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return std::string(std::max<size_t>(3, longest + 1), '`');
}

// The blocks of one message, each after a blank line.
void MarkdownBlocks(std::string& out, const std::vector<Block>& blocks, const AssetLink& link) {
  for (const Block& b : blocks) {
    out += "\n";
    switch (b.kind) {
      case Block::Kind::kText:
        out += b.text + "\n";
        break;
      case Block::Kind::kCode: {
        const std::string fence = Fence(b.text);
        std::string info = b.label;
        std::replace_if(
            info.begin(), info.end(), [](char c) { return c == '`' || c == '\n'; }, ' ');
        out += fence + info + "\n" + b.text + (b.text.ends_with('\n') ? "" : "\n") + fence + "\n";
        break;
      }
      case Block::Kind::kQuote: {
        size_t start = 0;
        while (start <= b.text.size()) {
          size_t end = b.text.find('\n', start);
          if (end == std::string::npos) end = b.text.size();
          out += "> " + b.text.substr(start, end - start) + "\n";
          start = end + 1;
        }
        if (IsWebUrl(b.url))
          out += ">\n> — <" + b.url + ">" + (b.label.empty() ? "" : " " + b.label) + "\n";
        break;
      }
      case Block::Kind::kFile: {
        std::optional<std::string> path = link ? link(b.asset) : std::nullopt;
        const char* what = b.image ? "image" : b.audio ? "audio" : "file";
        if (path) {
          out +=
              std::string(b.image ? "!" : "") + "[" + LinkLabel(b, *path) + "](<" + *path + ">)\n";
        } else {
          out += std::string("*[") + what + ": " + b.label + "]*\n";
        }
        break;
      }
    }
  }
}

std::string Markdown(const Document& d, const AssetLink& link) {
  std::string out = "# " + d.title + "\n\n`" + d.id + "`" + Dates(d) + "\n";
  for (const Shown& m : d.messages) {
    out += "\n---\n\n### " + m.who;
    if (std::string t = FormatTime(m.time); !t.empty()) out += " · " + t;
    out += "\n";
    MarkdownBlocks(out, m.blocks, link);
  }
  return out;
}

// ---- HTML -----------------------------------------------------------------

std::string Escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// A relative path as a URL: every byte but unreserved ones and '/' escaped,
// so no name can end the attribute or become a scheme.
std::string PathUrl(const std::string& path) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (out.find(':') != std::string::npos || out.starts_with("//")) return "./" + out;
  return out;
}

constexpr std::string_view kHtmlHead = R"(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src * data:; media-src *; style-src 'unsafe-inline'">
<meta name="generator" content="gptvault">
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; color: #1f2328; }
.meta { color: #59636e; }
section { border-top: 1px solid #d1d9e0; padding: .5rem 0; }
h2 { font-size: 1rem; margin: .5rem 0; }
h2 time { font-weight: normal; color: #59636e; margin-left: .5rem; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
pre { background: #f6f8fa; padding: .75rem; overflow-x: auto; }
figcaption, .label { color: #59636e; font-size: .875rem; }
blockquote { border-left: 3px solid #d1d9e0; margin: 0; padding-left: 1rem; white-space: pre-wrap; }
img { max-width: 100%; }
</style>
)";

std::string Html(const Document& d, const AssetLink& link) {
  std::string out(kHtmlHead);
  out += "<title>" + Escape(d.title) + "</title>\n</head>\n<body>\n<h1>" + Escape(d.title) +
         "</h1>\n<p class=\"meta\"><code>" + Escape(d.id) + "</code>" + Escape(Dates(d)) + "</p>\n";
  for (const Shown& m : d.messages) {
    out += "<section>\n<h2>" + Escape(m.who);
    if (std::string t = FormatTime(m.time); !t.empty()) out += "<time>" + Escape(t) + "</time>";
    out += "</h2>\n";
    for (const Block& b : m.blocks) {
      switch (b.kind) {
        case Block::Kind::kText:
          out += "<div class=\"text\">" + Escape(b.text) + "</div>\n";
          break;
        case Block::Kind::kCode:
          if (!b.label.empty()) out += "<div class=\"label\">" + Escape(b.label) + "</div>\n";
          out += "<pre><code>" + Escape(b.text) + "</code></pre>\n";
          break;
        case Block::Kind::kQuote:
          out += "<blockquote>" + Escape(b.text) + "</blockquote>\n";
          if (IsWebUrl(b.url)) {
            out += "<p class=\"label\"><a href=\"" + Escape(b.url) + "\" rel=\"noreferrer\">" +
                   Escape(b.label.empty() ? b.url : b.label) + "</a></p>\n";
          }
          break;
        case Block::Kind::kFile: {
          std::optional<std::string> path = link ? link(b.asset) : std::nullopt;
          const char* what = b.image ? "image" : b.audio ? "audio" : "file";
          if (!path) {
            out += "<p class=\"label\">[" + std::string(what) + ": " + Escape(b.label) + "]</p>\n";
          } else if (b.image) {
            out += "<figure><img src=\"" + Escape(PathUrl(*path)) + "\" alt=\"" +
                   Escape(LinkLabel(b, *path)) + "\"></figure>\n";
          } else if (b.audio) {
            out += "<audio controls src=\"" + Escape(PathUrl(*path)) + "\"></audio>\n";
          } else {
            out += "<p><a href=\"" + Escape(PathUrl(*path)) + "\">" + Escape(LinkLabel(b, *path)) +
                   "</a></p>\n";
          }
          break;
        }
      }
    }
    out += "</section>\n";
  }
  out += "</body>\n</html>\n";
  return out;
}

Json ParseBounded(std::string_view text) {
  Json::parser_callback_t keep_shallow = [](int depth, Json::parse_event_t event, Json&) {
    const bool opens =
        event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start;
    return !(opens && depth > kMaxDepth);
  };
  try {
    return Json::parse(text.begin(), text.end(), keep_shallow);
  } catch (const Json::parse_error& e) {
    if (std::string_view(e.what()).find("surrogate") == std::string_view::npos) throw;
    size_t replaced = 0;
    const std::string repaired = ReplaceLoneSurrogates(text, &replaced);
    return Json::parse(repaired.begin(), repaired.end(), keep_shallow);
  }
}

}  // namespace

namespace view {

const Json* Member(const Json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

std::string StringAt(const Json& j, const char* key) {
  const Json* v = Member(j, key);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

std::optional<double> TimeAt(const Json& j, const char* key) {
  const Json* v = Member(j, key);
  if (!v || !v->is_number()) return std::nullopt;
  return v->get<double>();
}

Json Parse(std::string_view json) { return ParseBounded(json); }

std::vector<std::string> CurrentBranchIds(const Json& conv) {
  std::vector<std::string> branch;
  const Json* mapping = Member(conv, "mapping");
  if (!mapping || !mapping->is_object() || mapping->empty()) return branch;
  std::string tip = StringAt(conv, "current_node");
  if (!mapping->contains(tip)) {
    std::unordered_set<std::string> parents;
    for (const auto& [id, node] : mapping->items()) parents.insert(StringAt(node, "parent"));
    std::vector<Leaf> leaves;
    for (const auto& [id, node] : mapping->items()) {
      if (parents.contains(id)) continue;
      const Json* msg = Member(node, "message");
      std::optional<double> t;
      if (msg)
        t = TimeAt(*msg, "update_time") ? TimeAt(*msg, "update_time") : TimeAt(*msg, "create_time");
      leaves.push_back({id, t});
    }
    std::optional<size_t> best = LatestLeaf(leaves);
    if (best) tip = std::string(leaves[*best].id);
  }
  std::unordered_set<std::string> seen;
  for (std::string id = tip; mapping->contains(id) && seen.insert(id).second;) {
    branch.push_back(id);
    id = StringAt((*mapping)[id], "parent");
  }
  std::reverse(branch.begin(), branch.end());
  return branch;
}

std::string Who(const Json& message) { return ingest::Who(message); }

std::string ShownText(const Json& message) {
  std::string out;
  MarkdownBlocks(out, BlocksOf(message), nullptr);
  const size_t first = out.find_first_not_of('\n');
  if (first == std::string::npos) return "";
  return out.substr(first, out.find_last_not_of('\n') - first + 1);
}

}  // namespace view

Result<std::string> RenderConversation(std::string_view json, RenderFormat format,
                                       const AssetLink& link) {
  try {
    Json conv = ParseBounded(json);
    if (!conv.is_object()) return Status::InvalidArgument("a conversation must be a JSON object");
    Document doc = Read(conv);
    return format == RenderFormat::kHtml ? Html(doc, link) : Markdown(doc, link);
  } catch (const std::bad_alloc&) {
    return Status::InvalidArgument("conversation too large to render in memory");
  } catch (const std::exception& e) {
    return Status::InvalidArgument(OneLine(e.what()));
  }
}

}  // namespace gptvault::ingest
