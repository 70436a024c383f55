// A conversation as people read it: the current branch from the first
// message to `current_node`, without what the ChatGPT page hides (field
// guide §3.10: hidden system context, tool calls, search results, reasoning),
// as Markdown or as one standalone HTML page. For reading; the lossless form
// is the conversation's own JSON (`restore --format json`), which the vault
// keeps whatever is left out here.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "gptvault/util/status.h"

namespace gptvault::ingest {

enum class RenderFormat { kMarkdown, kHtml };

// Where the file an asset id names was written, as a path relative to the
// rendered document; nullopt when it was not written. Then the document
// names the file without linking it.
using AssetLink = std::function<std::optional<std::string>(const std::string& asset_id)>;

// The HTML page runs no script and loads nothing but the files `link` gives:
// every string from the export is escaped. Fails (kInvalidArgument, one
// line) only when `json` is not a JSON object; odd content is shown as far
// as it can be, never refused.
Result<std::string> RenderConversation(std::string_view json, RenderFormat format,
                                       const AssetLink& link);

}  // namespace gptvault::ingest
