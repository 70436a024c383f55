#include "gptvault/ingest/conversation.h"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <new>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>
#include <utility>

#include "branch_tip.h"
#include "gptvault/util/json_sax.h"
#include "json_text.h"

namespace gptvault::ingest {

std::optional<size_t> LatestLeaf(const std::vector<Leaf>& leaves) {
  std::optional<size_t> best;
  for (size_t i = 0; i < leaves.size(); ++i) {
    if (!best) {
      best = i;
      continue;
    }
    const Leaf& a = leaves[i];
    const Leaf& b = leaves[*best];
    const bool later = a.time && (!b.time || *a.time > *b.time);
    const bool same = a.time == b.time;  // both untimed, or equal times
    if (later || (same && a.id < b.id)) best = i;
  }
  return best;
}

namespace {

using Json = nlohmann::json;

constexpr size_t kDeepNesting = 1000;

// Content and part types the field guide (§2.3, §3.5) has seen. Others are
// kept like any data, and reported, since new ones appear without notice.
bool IsKnownContentType(std::string_view t) {
  static const std::set<std::string_view> kKnown = {"text",
                                                    "multimodal_text",
                                                    "code",
                                                    "execution_output",
                                                    "tether_browsing_display",
                                                    "tether_quote",
                                                    "tether_browsing_code",
                                                    "user_editable_context",
                                                    "model_editable_context",
                                                    "thoughts",
                                                    "reasoning_recap",
                                                    "system_error",
                                                    "sonic_webpage",
                                                    "computer_output",
                                                    "image_asset_pointer",
                                                    "audio_transcription",
                                                    "audio_asset_pointer",
                                                    "real_time_user_audio_video_asset_pointer",
                                                    "video_container_asset_pointer"};
  return kKnown.count(t) != 0;
}

// What a node of `mapping` contributes to the summary.
struct Node {
  std::optional<std::string> parent;
  bool has_message = false;
  std::optional<double> message_update_time;
  std::optional<double> message_create_time;
  std::vector<std::string> children;
};

// The raw fields, as found, before any judgement.
struct Fields {
  std::optional<std::string> conversation_id;
  std::optional<std::string> id;
  bool title_seen = false;
  bool title_not_string = false;
  std::optional<std::string> title;
  std::optional<double> create_time;
  std::optional<double> update_time;
  std::optional<std::string> current_node;
  bool mapping_seen = false;
  bool mapping_not_object = false;
  std::vector<Node> nodes;                             // in mapping order
  std::unordered_map<std::string, size_t> node_index;  // node id -> nodes[i]
  std::vector<ConversationInfo::AssetRef> assets;
  std::unordered_map<std::string, size_t> asset_index;  // id -> assets[i]
  std::set<std::string> unknown_content_types;
  size_t max_depth = 0;

  void AddAsset(std::string id, const std::optional<std::string>& name) {
    auto [it, inserted] = asset_index.try_emplace(id, assets.size());
    if (inserted) assets.push_back({std::move(id), name});
    if (name && !assets[it->second].name) assets[it->second].name = name;
  }
};

// Collects Fields from nlohmann's SAX events. nlohmann's parser keeps its own
// nesting on the heap, and so does this handler (one byte per open
// container), so a 100,000-deep message costs memory, never stack.
class Collector {
 public:
  using number_integer_t = Json::number_integer_t;
  using number_unsigned_t = Json::number_unsigned_t;
  using number_float_t = Json::number_float_t;
  using string_t = Json::string_t;
  using binary_t = Json::binary_t;

  explicit Collector(Fields* out) : f_(out) {}

  const std::string& error() const { return error_; }

  bool null() { return Scalar(Value{Kind::kNull}); }
  bool boolean(bool) { return Scalar(Value{Kind::kOther}); }
  bool number_integer(number_integer_t v) {
    return Scalar(Value{Kind::kNumber, static_cast<double>(v)});
  }
  bool number_unsigned(number_unsigned_t v) {
    return Scalar(Value{Kind::kNumber, static_cast<double>(v)});
  }
  bool number_float(number_float_t v, const string_t&) {
    return Scalar(Value{Kind::kNumber, static_cast<double>(v)});
  }
  bool string(string_t& v) { return Scalar(Value{Kind::kString, 0, &v}); }
  bool binary(binary_t&) { return Scalar(Value{Kind::kOther}); }

  bool start_object(std::size_t) {
    const Role role = TakeRole();
    Role inner = Role::kIgnored;
    switch (role) {
      case Role::kDocument:
        inner = Role::kConversation;
        break;
      case Role::kMapping:
        f_->mapping_seen = true;
        f_->mapping_not_object = false;
        f_->nodes.clear();
        f_->node_index.clear();
        inner = Role::kMapping;
        break;
      case Role::kNode:
        inner = Role::kNode;
        break;
      case Role::kMessage:
        Current().has_message = true;
        inner = Role::kMessage;
        break;
      case Role::kMessageBody:
        inner = Role::kMessageBody;
        break;
      case Role::kAttachment:
        attachment_id_.reset();
        attachment_name_.reset();
        inner = Role::kAttachment;
        break;
      default:
        Field(role, Value{Kind::kOther});
        break;
    }
    stack_.push_back(Frame{inner, false});
    f_->max_depth = std::max(f_->max_depth, stack_.size());
    return true;
  }
  bool end_object() {
    if (stack_.back().role == Role::kAttachment && attachment_id_ && !attachment_id_->empty()) {
      f_->AddAsset(std::move(*attachment_id_), attachment_name_);
      attachment_id_.reset();
    }
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t) {
    const Role role = TakeRole();
    if (role == Role::kDocument)
      return Refuse("a conversation must be a JSON object, not an array");
    Field(role, Value{Kind::kOther});
    Role inner = Role::kIgnored;
    if (role == Role::kChildren || role == Role::kAttachments || role == Role::kMessageBody) {
      inner = role;
    }
    stack_.push_back(Frame{inner, true});
    f_->max_depth = std::max(f_->max_depth, stack_.size());
    return true;
  }
  bool end_array() {
    stack_.pop_back();
    return true;
  }

  bool key(string_t& k) {
    switch (stack_.back().role) {
      case Role::kConversation:
        pending_ = k == "conversation_id" ? Role::kConversationId
                   : k == "id"            ? Role::kId
                   : k == "title"         ? Role::kTitle
                   : k == "create_time"   ? Role::kCreateTime
                   : k == "update_time"   ? Role::kUpdateTime
                   : k == "current_node"  ? Role::kCurrentNode
                   : k == "mapping"       ? Role::kMapping
                                          : Role::kIgnored;
        break;
      case Role::kMapping: {
        // A repeated key replaces the earlier node, as a DOM parser would.
        auto [it, inserted] = f_->node_index.try_emplace(k, f_->nodes.size());
        if (inserted) {
          f_->nodes.emplace_back();
        } else {
          f_->nodes[it->second] = Node();
        }
        current_node_ = it->second;
        pending_ = Role::kNode;
        break;
      }
      case Role::kNode:
        pending_ = k == "parent"     ? Role::kParent
                   : k == "message"  ? Role::kMessage
                   : k == "children" ? Role::kChildren
                                     : Role::kIgnored;
        break;
      case Role::kMessage:
        pending_ = k == "update_time"   ? Role::kMessageUpdateTime
                   : k == "create_time" ? Role::kMessageCreateTime
                                        : BodyRole(k);
        break;
      case Role::kMessageBody:
        pending_ = BodyRole(k);
        break;
      case Role::kAttachment:
        pending_ = k == "id"     ? Role::kAttachmentId
                   : k == "name" ? Role::kAttachmentName
                                 : BodyRole(k);
        break;
      default:
        pending_ = Role::kIgnored;
        break;
    }
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    if (error_.empty()) error_ = e.what();
    return false;
  }

 private:
  // What the value about to be read means to us.
  enum class Role : uint8_t {
    kDocument,
    kIgnored,
    kConversation,
    kConversationId,
    kId,
    kTitle,
    kCreateTime,
    kUpdateTime,
    kCurrentNode,
    kMapping,
    kNode,
    kParent,
    kMessage,
    kMessageUpdateTime,
    kMessageCreateTime,
    kChildren,
    kChildId,
    kMessageBody,   // anything inside a message: searched for file pointers
    kAssetPointer,  // an "asset_pointer" string
    kAttachments,   // an "attachments" array
    kAttachment,    // one object of it
    kAttachmentId,
    kAttachmentName,
    kContentType,  // a "content_type" string inside a message
  };
  enum class Kind : uint8_t { kNull, kNumber, kString, kOther };
  struct Value {
    Kind kind;
    double number = 0;
    const std::string* text = nullptr;
  };
  struct Frame {
    Role role;
    bool is_array;
  };

  Role TakeRole() {
    if (stack_.empty()) return Role::kDocument;
    const Frame& top = stack_.back();
    if (top.is_array) {
      switch (top.role) {
        case Role::kChildren:
          return Role::kChildId;
        case Role::kAttachments:
          return Role::kAttachment;
        case Role::kMessageBody:
          return Role::kMessageBody;
        default:
          return Role::kIgnored;
      }
    }
    return pending_;
  }

  // The role of a value under key `k` somewhere inside a message.
  static Role BodyRole(const std::string& k) {
    if (k == "asset_pointer") return Role::kAssetPointer;
    if (k == "content_type") return Role::kContentType;
    if (k == "attachments") return Role::kAttachments;
    return Role::kMessageBody;
  }

  void AddPointer(const std::string& pointer) {
    if (auto id = AssetIdOfPointer(pointer)) f_->AddAsset(std::move(*id), std::nullopt);
  }

  Node& Current() { return f_->nodes[current_node_]; }

  bool Refuse(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return false;
  }

  bool Scalar(const Value& v) {
    const Role role = TakeRole();
    if (role == Role::kDocument) {
      return Refuse("a conversation must be a JSON object, not a scalar");
    }
    Field(role, v);
    return true;
  }

  static std::optional<double> Number(const Value& v) {
    if (v.kind == Kind::kNumber) return v.number;
    return std::nullopt;
  }
  static std::optional<std::string> Text(const Value& v) {
    if (v.kind == Kind::kString) return *v.text;
    return std::nullopt;
  }

  // Records a scalar, or the arrival of a container where a scalar belongs
  // (Kind::kOther), for the field `role` names.
  void Field(Role role, const Value& v) {
    switch (role) {
      case Role::kConversationId:
        f_->conversation_id = Text(v);
        break;
      case Role::kId:
        f_->id = Text(v);
        break;
      case Role::kTitle:
        f_->title_seen = true;
        f_->title = Text(v);
        f_->title_not_string = v.kind != Kind::kString && v.kind != Kind::kNull;
        break;
      case Role::kCreateTime:
        f_->create_time = Number(v);
        break;
      case Role::kUpdateTime:
        f_->update_time = Number(v);
        break;
      case Role::kCurrentNode:
        f_->current_node = Text(v);
        break;
      case Role::kMapping:  // null, or anything but an object
        f_->mapping_seen = v.kind != Kind::kNull;
        f_->mapping_not_object = v.kind != Kind::kNull;
        f_->nodes.clear();
        f_->node_index.clear();
        break;
      case Role::kParent:
        Current().parent = Text(v);
        break;
      case Role::kMessage:
        Current().has_message = false;  // null, or not a message object
        break;
      case Role::kMessageUpdateTime:
        Current().message_update_time = Number(v);
        break;
      case Role::kMessageCreateTime:
        Current().message_create_time = Number(v);
        break;
      case Role::kChildId:
        if (v.kind == Kind::kString) Current().children.push_back(*v.text);
        break;
      case Role::kAssetPointer:
        if (v.kind == Kind::kString) AddPointer(*v.text);
        break;
      case Role::kAttachmentId:
        attachment_id_ = Text(v);
        break;
      case Role::kContentType:
        if (v.kind == Kind::kString && !IsKnownContentType(*v.text)) {
          f_->unknown_content_types.insert(*v.text);
        }
        break;
      case Role::kAttachmentName:
        attachment_name_ = Text(v);
        break;
      default:
        break;
    }
  }

  Fields* f_;
  std::vector<Frame> stack_;
  Role pending_ = Role::kIgnored;
  size_t current_node_ = 0;
  std::optional<std::string> attachment_id_;
  std::optional<std::string> attachment_name_;
  std::string error_;
};

std::string Counted(std::string sentence, size_t n) {
  if (n > 1) sentence += " (" + std::to_string(n) + " times)";
  return sentence;
}

// The node whose parent chain is the current branch: current_node when it
// names a node, else the leaf with the latest message time.
std::optional<size_t> BranchTip(const Fields& f, std::vector<std::string>* warnings) {
  if (f.current_node) {
    auto it = f.node_index.find(*f.current_node);
    if (it != f.node_index.end()) return it->second;
    warnings->push_back("current_node names a missing node");
  } else {
    warnings->push_back("current_node missing");  // absent, null or not a string
  }
  // Children come from parent links: the `children` lists are absent from
  // 2026 exports and may name missing nodes.
  std::vector<bool> has_child(f.nodes.size(), false);
  for (const Node& n : f.nodes) {
    if (!n.parent) continue;
    auto it = f.node_index.find(*n.parent);
    if (it != f.node_index.end()) has_child[it->second] = true;
  }
  std::vector<const std::string*> id_of(f.nodes.size(), nullptr);
  for (const auto& [id, i] : f.node_index) id_of[i] = &id;
  std::vector<Leaf> leaves;
  std::vector<size_t> where;
  for (size_t i = 0; i < f.nodes.size(); ++i) {
    if (has_child[i] || id_of[i] == nullptr) continue;
    const Node& n = f.nodes[i];
    std::optional<double> t = n.message_update_time ? n.message_update_time : n.message_create_time;
    if (!n.has_message) t.reset();
    leaves.push_back({*id_of[i], t});
    where.push_back(i);
  }
  std::optional<size_t> best = LatestLeaf(leaves);
  if (!best) return std::nullopt;
  return where[*best];
}

// Fills the counts and the warnings about the tree. Walks parent links with
// explicit loops and a visited mark: the mapping comes from untrusted input.
void Summarise(const Fields& f, ConversationInfo* info) {
  std::vector<std::string>& warnings = info->warnings;
  if (!f.mapping_seen) {
    warnings.push_back("no mapping");
    return;
  }
  if (f.mapping_not_object) {
    warnings.push_back("mapping is not an object");
    return;
  }
  info->node_count = f.nodes.size();
  if (f.nodes.empty()) {
    warnings.push_back("mapping is empty");
    return;
  }

  const size_t n = f.nodes.size();
  std::vector<bool> has_child(n, false);
  std::vector<size_t> parent(n, SIZE_MAX);
  size_t missing_parents = 0, missing_children = 0;
  for (size_t i = 0; i < n; ++i) {
    const Node& node = f.nodes[i];
    if (node.parent) {
      auto it = f.node_index.find(*node.parent);
      if (it == f.node_index.end()) {
        ++missing_parents;
      } else {
        parent[i] = it->second;
        has_child[it->second] = true;
      }
    }
    if (node.has_message) ++info->total_messages;
    for (const std::string& child : node.children) {
      if (!f.node_index.contains(child)) ++missing_children;
    }
  }
  if (missing_parents > 0) {
    warnings.push_back(Counted("parent names a missing node", missing_parents));
  }
  if (missing_children > 0) {
    warnings.push_back(Counted("children name a missing node", missing_children));
  }

  // Each node has at most one parent, so following parents from every node
  // finds every cycle; state 1 marks the walk in progress, 2 a finished node.
  std::vector<uint8_t> state(n, 0);
  bool cycle = false;
  for (size_t start = 0; start < n && !cycle; ++start) {
    size_t i = start;
    while (i != SIZE_MAX && state[i] == 0) {
      state[i] = 1;
      i = parent[i];
    }
    if (i != SIZE_MAX && state[i] == 1) cycle = true;
    for (size_t j = start; j != SIZE_MAX && state[j] == 1; j = parent[j]) state[j] = 2;
  }
  if (cycle) warnings.push_back("cycle in parent links");
  for (size_t i = 0; i < n; ++i) info->branches += has_child[i] ? 0 : 1;

  const std::optional<size_t> tip = BranchTip(f, &warnings);
  if (!tip) return;
  std::vector<bool> visited(n, false);
  for (size_t i = *tip; i != SIZE_MAX && !visited[i]; i = parent[i]) {
    visited[i] = true;
    if (f.nodes[i].has_message) ++info->message_count;
  }
}

Result<ConversationInfo> Build(const Fields& f, std::vector<std::string> warnings) {
  ConversationInfo info;
  if (f.conversation_id && !f.conversation_id->empty()) {
    info.id = *f.conversation_id;
    if (f.id && *f.id != info.id) warnings.push_back("conversation_id and id differ");
  } else if (f.id && !f.id->empty()) {
    info.id = *f.id;
  } else {
    return Status::InvalidArgument("conversation has no string conversation_id or id");
  }
  // An empty title is kept as the export has it ("" is not null); both get
  // the same warning, since neither names the conversation.
  info.title = f.title;
  if (!f.title || f.title->empty()) {
    warnings.push_back(f.title_not_string ? "title is not a string" : "no title");
  }
  info.create_time = f.create_time;
  info.update_time = f.update_time;
  info.warnings = std::move(warnings);
  info.assets = f.assets;
  // Real conversations nest a few dozen levels; far deeper is worth a word,
  // though it is kept like any other data.
  if (f.max_depth > kDeepNesting) {
    info.warnings.push_back("JSON nested " + std::to_string(f.max_depth) + " levels deep");
  }
  for (const std::string& t : f.unknown_content_types) {
    info.warnings.push_back("unknown content type " + t.substr(0, 80));
  }
  Summarise(f, &info);
  return info;
}

// One SAX pass; returns the parser's or the handler's message on failure.
// The fast reader (json_sax.h) takes what it can; anything it leaves, and
// every failure, is read again by nlohmann's parser, whose verdict stands.
std::optional<std::string> Collect(std::string_view json, Fields* fields) {
  {
    Collector fast(fields);
    if (FastSaxParse(json, fast) == FastJson::kDone) return std::nullopt;
  }
  *fields = Fields();
  Collector collector(fields);
  const bool ok = Json::sax_parse(json.begin(), json.end(), &collector);
  if (ok) return std::nullopt;
  return collector.error().empty() ? std::string("not valid JSON") : collector.error();
}

}  // namespace

Result<ConversationInfo> ParseConversation(std::string_view json) {
  try {
    std::vector<std::string> warnings;
    Fields fields;
    std::optional<std::string> error = Collect(json, &fields);
    if (error && error->find("surrogate") != std::string::npos) {
      size_t replaced = 0;
      const std::string repaired = ReplaceLoneSurrogates(json, &replaced);
      if (replaced > 0) {
        fields = Fields();
        error = Collect(repaired, &fields);
        warnings.push_back(Counted("lone UTF-16 surrogate escape read as U+FFFD", replaced));
      }
    }
    if (error) return Status::InvalidArgument(OneLine(*error));
    return Build(fields, std::move(warnings));
  } catch (const std::bad_alloc&) {
    return Status::InvalidArgument("conversation too large to summarise in memory");
  } catch (const std::exception& e) {
    return Status::InvalidArgument(OneLine(e.what()));
  }
}

}  // namespace gptvault::ingest
