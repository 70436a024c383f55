// What the vault needs to know about one conversation object of an export,
// read from its exact bytes. Every field of the export is optional and may be
// null (docs/FORMAT.md cites the field guide); anomalies become warnings, not
// failures, so odd but real exports still go in.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gptvault/util/status.h"

namespace gptvault::ingest {

struct ConversationInfo {
  std::string id;                    // conversation_id, else id
  std::optional<std::string> title;  // null or missing: absent; "" stays ""
  std::optional<double> create_time;
  std::optional<double> update_time;
  size_t node_count = 0;      // entries in `mapping`
  size_t message_count = 0;   // non-null messages on the current branch
  size_t total_messages = 0;  // non-null messages on every branch
  size_t branches = 0;        // leaves of the tree: 1 for a conversation never forked
  // Files the conversation points at, by id, in first-seen order, each once:
  // `asset_pointer` values anywhere in a message with the file-service:// or
  // sediment:// scheme stripped, and the ids of `metadata.attachments[]`
  // (with their `name`, the file's original name, when given).
  struct AssetRef {
    std::string id;
    std::optional<std::string> name;
  };
  std::vector<AssetRef> assets;
  // One short sentence each: "no mapping", "current_node missing",
  // "current_node names a missing node", "parent names a missing node",
  // "cycle in parent links", "children name a missing node", "no title", ...
  // A count follows when a kind occurs more than once: "(3 times)".
  std::vector<std::string> warnings;
};

// The current branch is the chain of `parent` links from `current_node` to
// the root (cycle-guarded). When current_node is missing or names no node, it
// starts instead at the leaf whose message has the latest update_time, else
// create_time; ties go to the smallest node id (src/ingest/branch_tip.h, the
// rule the renderer shares). Lone UTF-16 surrogate escapes, which real exports hold, read as
// U+FFFD with a warning.
//
// Fails (kInvalidArgument, one line) when `json` is not valid UTF-8 JSON, not
// an object, or has neither a non-empty string `conversation_id` nor a
// non-empty string `id`. Nesting depth costs heap, never stack.
Result<ConversationInfo> ParseConversation(std::string_view json);

}  // namespace gptvault::ingest
