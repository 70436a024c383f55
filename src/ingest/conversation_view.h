// The renderer's reading of a conversation's messages, for the other ingest
// code that must show a message exactly as `restore --format md` shows it
// (conversation_diff.cc): one reading, so a diff never quotes a message
// differently from the rendered conversation. Defined in
// conversation_render.cc. Private to ingest.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gptvault::ingest::view {

using Json = nlohmann::json;

// Field access that never throws: the member `key` of object `j` (nullptr
// when `j` is not an object or has none), its string ("" unless it is one),
// its number (when it is one).
const Json* Member(const Json& j, const char* key);
std::string StringAt(const Json& j, const char* key);
std::optional<double> TimeAt(const Json& j, const char* key);

// Parses a conversation the way the renderer does: containers nested deeper
// than it shows are dropped (nothing after the parse recurses deeply), and
// lone UTF-16 surrogate escapes read as U+FFFD. Throws nlohmann's exceptions
// on text that is not JSON.
Json Parse(std::string_view json);

// The keys in `mapping` of the current branch, root first: parent links
// from current_node or, when that names no node, from the leaf LatestLeaf
// picks (branch_tip.h). Cycle-guarded; empty without a mapping.
std::vector<std::string> CurrentBranchIds(const Json& conv);

// Who wrote `message`, as the page names them: "User", "ChatGPT",
// "Custom instructions", "Tool (python)".
std::string Who(const Json& message);

// What the page shows of `message`, as the Markdown form writes it (files
// named, not linked); empty for a message the page hides or that shows
// nothing.
std::string ShownText(const Json& message);

}  // namespace gptvault::ingest::view
