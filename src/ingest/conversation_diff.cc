#include "gptvault/ingest/conversation_diff.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "conversation_view.h"
#include "json_text.h"

namespace gptvault::ingest {
namespace {

using view::Json;
using view::Member;
using view::StringAt;
using view::TimeAt;

// One version's tree, by the parent links (2026 exports carry no `children`).
class Tree {
 public:
  explicit Tree(const Json& conv) {
    if (const Json* t = Member(conv, "title"); t && t->is_string()) title = t->get<std::string>();
    static const Json kNoMapping = Json::object();
    const Json* m = Member(conv, "mapping");
    mapping_ = m && m->is_object() ? m : &kNoMapping;
    for (const auto& [key, node] : mapping_->items()) {
      std::string parent = StringAt(node, "parent");
      // A dangling parent or a node its own parent: a root, as far as a diff goes.
      if (parent == key || !mapping_->contains(parent)) parent.clear();
      parent_[key] = parent;
      children_[parent].push_back(key);
    }
    for (auto& [parent, kids] : children_) {
      std::sort(kids.begin(), kids.end(), [&](const std::string& a, const std::string& b) {
        std::optional<double> ta = Time(a), tb = Time(b);
        return ta != tb ? ta < tb : a < b;
      });
    }
    std::vector<std::string> branch = view::CurrentBranchIds(conv);
    if (!branch.empty()) tip = branch.back();
    current_.insert(branch.begin(), branch.end());
  }

  bool Has(const std::string& key) const { return parent_.contains(key); }
  bool Current(const std::string& key) const { return current_.contains(key); }

  // The node's message, or nullptr when it holds none (the mapping's root).
  const Json* Message(const std::string& key) const {
    auto it = mapping_->find(key);
    if (it == mapping_->end()) return nullptr;
    const Json* msg = Member(*it, "message");
    return msg && msg->is_object() ? msg : nullptr;
  }

  const std::vector<std::string>& Children(const std::string& key) const {
    static const std::vector<std::string> kNone;
    auto it = children_.find(key);
    return it == children_.end() ? kNone : it->second;
  }

  // Every node, parents before children, siblings oldest first; nodes no
  // root reaches (a cycle in the parent links) after, in key order.
  std::vector<std::string> Order() const {
    std::vector<std::string> order;
    std::unordered_set<std::string> seen;
    auto walk = [&](const std::string& start) {
      std::vector<std::string> stack{start};
      while (!stack.empty()) {
        std::string key = std::move(stack.back());
        stack.pop_back();
        if (!seen.insert(key).second) continue;
        order.push_back(key);
        const std::vector<std::string>& kids = Children(key);
        for (auto it = kids.rbegin(); it != kids.rend(); ++it) stack.push_back(*it);
      }
    };
    for (const std::string& root : Children("")) walk(root);
    std::vector<std::string> rest;
    for (const auto& [key, parent] : parent_) {
      if (!seen.contains(key)) rest.push_back(key);
    }
    std::sort(rest.begin(), rest.end());
    for (const std::string& key : rest) walk(key);
    return order;
  }

  DiffMessage Read(const std::string& key) const {
    DiffMessage m;
    m.node = key;
    m.parent = parent_.at(key);
    m.current = Current(key);
    if (const Json* msg = Message(key)) {
      if (const Json* author = Member(*msg, "author")) m.role = StringAt(*author, "role");
      m.who = view::Who(*msg);
      m.time = TimeAt(*msg, "create_time");
      m.text = view::ShownText(*msg);
    }
    return m;
  }

  std::optional<std::string> title;
  std::string tip;

 private:
  std::optional<double> Time(const std::string& key) const {
    const Json* msg = Message(key);
    return msg ? TimeAt(*msg, "create_time") : std::nullopt;
  }

  const Json* mapping_ = nullptr;
  std::unordered_map<std::string, std::string> parent_;
  std::unordered_map<std::string, std::vector<std::string>> children_;
  std::unordered_set<std::string> current_;
};

NewBranch::Kind KindOf(const std::vector<DiffMessage>& added) {
  auto all = [&](const char* role) {
    return std::all_of(added.begin(), added.end(),
                       [&](const DiffMessage& m) { return m.role == role; });
  };
  if (all("user")) return NewBranch::Kind::kEditedPrompt;
  if (all("assistant")) return NewBranch::Kind::kRegeneratedAnswer;
  return NewBranch::Kind::kOther;
}

// The child of `key` that `tree`'s current branch goes through, or "".
std::string CurrentChild(const Tree& tree, const std::string& key) {
  for (const std::string& child : tree.Children(key)) {
    if (tree.Current(child)) return child;
  }
  return "";
}

ConversationDiff Diff(const Tree& from, const Tree& to) {
  ConversationDiff d;
  d.title_from = from.title;
  d.title_to = to.title;
  d.tip_from = from.tip;
  d.tip_to = to.tip;
  d.switched = !from.tip.empty() && !to.Current(from.tip);
  for (const std::string& key : to.Order()) {
    const Json* now = to.Message(key);
    const Json* was = from.Has(key) ? from.Message(key) : nullptr;
    if (now && !was) {
      d.added.push_back(to.Read(key));
    } else if (now && was) {
      DiffMessage a = from.Read(key), b = to.Read(key);
      if (a.text != b.text) d.changed.push_back({std::move(a), std::move(b)});
    } else if (was) {
      d.removed.push_back(from.Read(key));
    }
    // A fork that gained a branch: two children or more, one of them new.
    const std::vector<std::string>& kids = to.Children(key);
    const bool forked = kids.size() >= 2 && std::any_of(kids.begin(), kids.end(),
                                                        [&](auto& k) { return !from.Has(k); });
    if (!forked) continue;
    NewBranch b;
    b.parent_node = key;
    if (now) b.parent = to.Read(key);
    for (const std::string& kid : kids) {
      if (from.Has(kid)) {
        b.before.push_back(from.Read(kid));
      } else {
        b.added.push_back(to.Read(kid));
      }
    }
    b.kind = KindOf(b.added);
    b.current_from = from.Has(key) ? CurrentChild(from, key) : "";
    b.current_to = CurrentChild(to, key);
    d.branches.push_back(std::move(b));
  }
  for (const std::string& key : from.Order()) {
    if (!to.Has(key) && from.Message(key)) d.removed.push_back(from.Read(key));
  }
  return d;
}

Result<Json> ParseObject(std::string_view text, const char* which) {
  try {
    Json conv = view::Parse(text);
    if (!conv.is_object()) {
      return Status::InvalidArgument(std::string("the ") + which + " version is not a JSON object");
    }
    return conv;
  } catch (const std::bad_alloc&) {
    return Status::InvalidArgument("conversation too large to compare in memory");
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("the ") + which + " version: " + OneLine(e.what()));
  }
}

}  // namespace

Result<ConversationDiff> DiffConversations(std::string_view from, std::string_view to) {
  GV_ASSIGN_OR_RETURN(Json a, ParseObject(from, "older"));
  GV_ASSIGN_OR_RETURN(Json b, ParseObject(to, "newer"));
  try {
    return Diff(Tree(a), Tree(b));
  } catch (const std::bad_alloc&) {
    return Status::InvalidArgument("conversation too large to compare in memory");
  } catch (const std::exception& e) {
    return Status::InvalidArgument(OneLine(e.what()));
  }
}

const char* BranchKindName(NewBranch::Kind kind) {
  switch (kind) {
    case NewBranch::Kind::kEditedPrompt:
      return "edited_prompt";
    case NewBranch::Kind::kRegeneratedAnswer:
      return "regenerated_answer";
    case NewBranch::Kind::kOther:
      break;
  }
  return "other";
}

}  // namespace gptvault::ingest
