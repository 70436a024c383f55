// What changed between two versions of one conversation, message by
// message. A message is identified by its node's key in `mapping`, which an
// export keeps from one download to the next; an edited prompt or a
// regenerated answer is never a change to an existing node but a new
// sibling under the same parent, a new branch, so it is reported as one,
// with the text of the old branch and the new, and which branch each
// version's current branch goes through. A message's text is what
// `restore --format md` shows of it (conversation_render.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gptvault/util/status.h"

namespace gptvault::ingest {

struct DiffMessage {
  std::string node;            // its key in `mapping`
  std::string parent;          // its parent's key; "" for a root
  std::string role;            // author.role as the export gives it ("user", "assistant", ...)
  std::string who;             // as the page names the author: "User", "ChatGPT", "Tool (python)"
  std::optional<double> time;  // its create_time
  // What the page shows of it, as the Markdown form writes it; empty for a
  // message the page hides (context, tool calls, reasoning).
  std::string text;
  bool current = false;  // on the current branch of the version it is read from

  bool shown() const { return !text.empty(); }
};

// One node in both versions whose shown text differs.
struct ChangedMessage {
  DiffMessage from, to;
};

// A node whose children gained a sibling: an edited prompt (the new
// children are the user's), a regenerated answer (the assistant's), or
// another kind of fork.
struct NewBranch {
  enum class Kind { kEditedPrompt, kRegeneratedAnswer, kOther };
  Kind kind = Kind::kOther;
  // The message both branches follow; absent when they start at a root or
  // the parent holds no message (the mapping's root node).
  std::optional<DiffMessage> parent;
  std::string parent_node;
  std::vector<DiffMessage> before;  // its children in `from`, read from `from`; oldest first
  std::vector<DiffMessage> added;   // its children new in `to`, read from `to`; oldest first
  // Which of its children each version's current branch goes through; ""
  // when that current branch does not pass this node.
  std::string current_from, current_to;
};

struct ConversationDiff {
  std::optional<std::string> title_from, title_to;  // null or missing: absent
  // Nodes with a message in `to` and not in `from`, parents before
  // children (depth first, siblings oldest first): every message added,
  // on whatever branch.
  std::vector<DiffMessage> added;
  std::vector<ChangedMessage> changed;  // in the same order, over `to`
  std::vector<DiffMessage> removed;     // in `from` and not in `to`, read from `from`
  std::vector<NewBranch> branches;      // in the order their first new child is added
  // The last node of each version's current branch, and whether the current
  // branch moved to another branch (from's tip is not on to's current branch)
  // rather than grew or stayed.
  std::string tip_from, tip_to;
  bool switched = false;

  bool title_changed() const { return title_from != title_to; }
  bool empty() const {
    return !title_changed() && added.empty() && changed.empty() && removed.empty() &&
           tip_from == tip_to;
  }
};

// Fails (kInvalidArgument, one line) when either text is not a JSON object;
// odd trees (cycles, dangling parents, no mapping) are diffed as far as they
// go, never refused.
Result<ConversationDiff> DiffConversations(std::string_view from, std::string_view to);

const char* BranchKindName(NewBranch::Kind kind);  // "edited_prompt", "regenerated_answer", "other"

}  // namespace gptvault::ingest
