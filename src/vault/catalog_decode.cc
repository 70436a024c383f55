// DecodeCatalog: the catalog read as a stream of JSON events into its
// records, without a json DOM. Every command that opens a snapshot reads
// the whole catalog (about 1 KB a conversation); building a DOM of it took
// more time than restoring a conversation out of it.
//
// The same catalogs are accepted as by a DOM reading: keys in any order,
// unknown keys (of any shape) ignored, optional members absent or null;
// a missing required member, a member of the wrong type or a malformed id
// makes the catalog damaged.
#include <cstdint>
#include <string>
#include <vector>

#include "gptvault/util/json_sax.h"
#include "json_codec.h"

namespace gptvault::vault {

using namespace detail;

namespace {

constexpr char kCatalogFormat[] = "gptvault-catalog";
constexpr uint64_t kCatalogVersion = 1;

// What the innermost open container is.
enum class Frame : uint8_t {
  kRoot,
  kConversations,  // array of conversation objects
  kConversation,
  kVersions,  // array of version objects
  kVersion,
  kVersionAssets,  // array of {id, name}
  kVersionAsset,
  kContent,  // {size, chunks}
  kChunks,   // array of ids
  kAssets,   // array of asset objects
  kAsset,
};

// Members each object must have, as bits.
enum Required : uint32_t {
  kHasFormat = 1 << 0,
  kHasVersion = 1 << 1,
  kHasSeq = 1 << 2,
  kHasConversations = 1 << 3,
  kHasId = 1 << 4,
  kHasCurrent = 1 << 5,
  kHasVersions = 1 << 6,
  kHasHash = 1 << 7,
  kHasContent = 1 << 8,
  kHasFirstSeq = 1 << 9,
  kHasMessages = 1 << 10,
  kHasName = 1 << 11,
  kHasSize = 1 << 12,
  kHasChunks = 1 << 13,
};

class CatalogHandler {
 public:
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  Catalog& catalog() { return catalog_; }
  const std::string& error() const { return error_; }

  bool null() { return Scalar(Value{Value::kNull}); }
  bool boolean(bool) { return Scalar(Value{Value::kOther}); }
  bool number_integer(number_integer_t v) {
    if (v >= 0) return number_unsigned(static_cast<uint64_t>(v));
    return Scalar(Value{Value::kDouble, 0, static_cast<double>(v)});
  }
  bool number_unsigned(number_unsigned_t v) {
    return Scalar(Value{Value::kUnsigned, v, static_cast<double>(v)});
  }
  bool number_float(number_float_t v, const string_t&) {
    return Scalar(Value{Value::kDouble, 0, v});
  }
  bool string(string_t& s) {
    Value v{Value::kString};
    v.text = &s;
    return Scalar(v);
  }
  bool binary(binary_t&) { return Scalar(Value{Value::kOther}); }
  bool key(string_t& k) {
    key_ = std::move(k);
    return true;
  }
  bool start_object(std::size_t) { return Open(/*object=*/true); }
  bool start_array(std::size_t) { return Open(/*object=*/false); }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    return Fail(e.what());
  }

 private:
  struct Value {
    enum Kind { kNull, kUnsigned, kDouble, kString, kOther } kind;
    uint64_t u = 0;
    double d = 0;
    std::string* text = nullptr;
  };

  bool Fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return false;
  }
  bool Unsigned(const Value& v, uint64_t& out, uint32_t& has, uint32_t bit) {
    if (v.kind != Value::kUnsigned) return Fail("\"" + key_ + "\" is not a count");
    out = v.u;
    has |= bit;
    return true;
  }
  bool Text(const Value& v, std::string& out, uint32_t& has, uint32_t bit) {
    if (v.kind != Value::kString) return Fail("\"" + key_ + "\" is not a string");
    out = std::move(*v.text);
    has |= bit;
    return true;
  }
  static std::optional<std::string> OptText(const Value& v) {
    if (v.kind != Value::kString) return std::nullopt;
    return std::move(*v.text);
  }
  static std::optional<double> OptNumber(const Value& v) {
    if (v.kind != Value::kUnsigned && v.kind != Value::kDouble) return std::nullopt;
    return v.d;
  }
  template <size_t N>
  bool Hex(const Value& v, std::array<uint8_t, N>& out, const char* what) {
    std::optional<Bytes> b;
    if (v.kind == Value::kString) b = FromHex(*v.text);
    if (!b || b->size() != N) return Fail(std::string("bad catalog ") + what);
    std::copy(b->begin(), b->end(), out.begin());
    return true;
  }

  Frame top() const { return frames_.back(); }
  bool format_ok() const { return format_ == kCatalogFormat && version_ == kCatalogVersion; }

  // A scalar: a member of the innermost object, or an element of the
  // innermost array.
  bool Scalar(const Value& v) {
    if (skip_ > 0 || frames_.empty()) return skip_ > 0 || Fail("not a JSON object");
    switch (top()) {
      case Frame::kRoot:
        if (key_ == "format") return Text(v, format_, root_has_, kHasFormat);
        if (key_ == "version") return Unsigned(v, version_, root_has_, kHasVersion);
        if (key_ == "seq") return Unsigned(v, catalog_.seq, root_has_, kHasSeq);
        return Unmatched();
      case Frame::kConversation:
        if (key_ == "id") return Text(v, rec_.id, rec_has_, kHasId);
        if (key_ == "current") {
          uint64_t c = 0;
          if (!Unsigned(v, c, rec_has_, kHasCurrent)) return false;
          rec_.current = static_cast<size_t>(c);
          return true;
        }
        if (key_ == "create_time") {
          rec_.create_time = OptNumber(v);
          return true;
        }
        return Unmatched();
      case Frame::kVersion: {
        uint32_t ignored = 0;
        if (key_ == "hash") {
          ver_has_ |= kHasHash;
          return Hex(v, ver_.hash, "hash");
        }
        if (key_ == "fingerprint") return Hex(v, ver_.fingerprint.emplace(), "fingerprint");
        if (key_ == "first_seq") return Unsigned(v, ver_.first_seq, ver_has_, kHasFirstSeq);
        if (key_ == "messages") return Unsigned(v, ver_.messages, ver_has_, kHasMessages);
        if (key_ == "all_messages") return Unsigned(v, ver_.all_messages, ignored, 0);
        if (key_ == "branches") return Unsigned(v, ver_.branches, ignored, 0);
        if (key_ == "delta_depth") {
          uint64_t depth = 0;
          if (!Unsigned(v, depth, ignored, 0)) return false;
          if (depth > UINT32_MAX) return Fail("\"delta_depth\" is out of range");
          ver_.delta_depth = static_cast<uint32_t>(depth);
          return true;
        }
        if (key_ == "title") {
          ver_.title = OptText(v);
          return true;
        }
        if (key_ == "update_time") {
          ver_.update_time = OptNumber(v);
          return true;
        }
        return Unmatched();
      }
      case Frame::kVersionAsset:
        if (key_ == "id") return Text(v, ref_.id, ref_has_, kHasId);
        if (key_ == "name") {
          ref_.name = OptText(v);
          return true;
        }
        return Unmatched();
      case Frame::kContent:
        if (key_ == "size") return Unsigned(v, content_->size, content_has_, kHasSize);
        return Unmatched();
      case Frame::kChunks:
        return Hex(v, content_->chunks.emplace_back(), "chunk id");
      case Frame::kAsset:
        if (key_ == "id") return Text(v, asset_.id, asset_has_, kHasId);
        if (key_ == "name") return Text(v, asset_.name, asset_has_, kHasName);
        if (key_ == "first_seq") return Unsigned(v, asset_.first_seq, asset_has_, kHasFirstSeq);
        if (key_ == "fingerprint") return Hex(v, asset_.fingerprint.emplace(), "fingerprint");
        return Unmatched();
      case Frame::kConversations:
      case Frame::kVersions:
      case Frame::kVersionAssets:
      case Frame::kAssets:
        return Fail("a list of records holds something else");
    }
    return true;
  }

  // A scalar no case above took: the value of an unknown member, ignored,
  // or of a known one that must be a container (every scalar member has
  // been matched by then), which is wrong.
  bool Unmatched() { return KnownMember() ? Fail("\"" + key_ + "\" has the wrong type") : true; }

  // Pushes the frame a container opens, or skips it when it is the value of
  // an unknown member; Fail()s when it stands where a scalar must.
  bool Open(bool object) {
    if (skip_ > 0) {
      ++skip_;
      return true;
    }
    if (frames_.empty()) {
      if (!object) return Fail("not a JSON object");
      frames_.push_back(Frame::kRoot);
      return true;
    }
    std::optional<Frame> next;
    switch (top()) {
      case Frame::kRoot:
        if (key_ == "conversations" && !object) {
          root_has_ |= kHasConversations;
          next = Frame::kConversations;
        } else if (key_ == "assets" && !object) {
          next = Frame::kAssets;
        }
        break;
      case Frame::kConversations:
        if (object) {
          rec_ = ConversationRecord{};
          rec_has_ = 0;
          next = Frame::kConversation;
        }
        break;
      case Frame::kConversation:
        if (key_ == "versions" && !object) {
          rec_has_ |= kHasVersions;
          next = Frame::kVersions;
        }
        break;
      case Frame::kVersions:
        if (object) {
          ver_ = ConversationVersion{};
          ver_has_ = 0;
          next = Frame::kVersion;
        }
        break;
      case Frame::kVersion:
        if (key_ == "assets" && !object) {
          next = Frame::kVersionAssets;
        } else if (key_ == "content" && object) {
          ver_has_ |= kHasContent;
          content_ = &ver_.content;
          content_has_ = 0;
          next = Frame::kContent;
        }
        break;
      case Frame::kVersionAssets:
        if (object) {
          ref_ = ConversationVersion::AssetRef{};
          ref_has_ = 0;
          next = Frame::kVersionAsset;
        }
        break;
      case Frame::kContent:
        if (key_ == "chunks" && !object) {
          content_has_ |= kHasChunks;
          next = Frame::kChunks;
        }
        break;
      case Frame::kAssets:
        if (object) {
          asset_ = AssetRecord{};
          asset_has_ = 0;
          next = Frame::kAsset;
        }
        break;
      case Frame::kAsset:
        if (key_ == "content" && object) {
          asset_has_ |= kHasContent;
          content_ = &asset_.content;
          content_has_ = 0;
          next = Frame::kContent;
        }
        break;
      case Frame::kChunks:
      case Frame::kVersionAsset:
        break;
    }
    if (next) {
      frames_.push_back(*next);
      return true;
    }
    // Not a container this catalog knows here: an unknown member's value is
    // skipped; anything else is in the wrong place.
    bool in_object = top() == Frame::kRoot || top() == Frame::kConversation ||
                     top() == Frame::kVersion || top() == Frame::kVersionAsset ||
                     top() == Frame::kContent || top() == Frame::kAsset;
    if (!in_object || KnownMember()) return Fail("\"" + key_ + "\" has the wrong type");
    skip_ = 1;
    return true;
  }

  // Every member this catalog knows in the innermost object.
  bool KnownMember() const {
    static const char* const kRootKeys[] = {"format", "version", "seq", "conversations", "assets"};
    static const char* const kConversationKeys[] = {"id", "current", "create_time", "versions"};
    static const char* const kVersionKeys[] = {
        "hash",        "fingerprint", "first_seq",   "messages", "all_messages", "branches",
        "delta_depth", "title",       "update_time", "assets",   "content"};
    static const char* const kRefKeys[] = {"id", "name"};
    static const char* const kContentKeys[] = {"size", "chunks"};
    static const char* const kAssetKeys[] = {"id", "name", "first_seq", "fingerprint", "content"};
    auto in = [this](const auto& keys) {
      for (const char* k : keys) {
        if (key_ == k) return true;
      }
      return false;
    };
    switch (top()) {
      case Frame::kRoot:
        return in(kRootKeys);
      case Frame::kConversation:
        return in(kConversationKeys);
      case Frame::kVersion:
        return in(kVersionKeys);
      case Frame::kVersionAsset:
        return in(kRefKeys);
      case Frame::kContent:
        return in(kContentKeys);
      case Frame::kAsset:
        return in(kAssetKeys);
      default:
        return false;
    }
  }

  bool Close() {
    if (skip_ > 0) {
      --skip_;
      return true;
    }
    Frame done = top();
    frames_.pop_back();
    switch (done) {
      case Frame::kRoot:
        if ((root_has_ & (kHasFormat | kHasVersion)) != (kHasFormat | kHasVersion) ||
            !format_ok()) {
          return Fail("unknown catalog format");
        }
        if ((root_has_ & (kHasSeq | kHasConversations)) != (kHasSeq | kHasConversations)) {
          return Fail("the catalog lacks its sequence number or conversations");
        }
        return true;
      case Frame::kConversation: {
        if ((rec_has_ & (kHasId | kHasCurrent | kHasVersions)) !=
            (kHasId | kHasCurrent | kHasVersions)) {
          return Fail("a conversation entry lacks its id, current version or versions");
        }
        if (rec_.versions.empty() || rec_.current >= rec_.versions.size()) {
          return Fail("catalog entry without a current version");
        }
        // Before December 2026 the export added last decided `current`, so
        // an older export added late could have rewound it: a version with
        // a newer update_time is the current one whatever was recorded.
        for (size_t i = 0; i < rec_.versions.size(); ++i) {
          TakeIfNewer(rec_, i, /*wins_ties=*/false);
        }
        std::string id = rec_.id;
        catalog_.conversations.emplace(std::move(id), std::move(rec_));
        return true;
      }
      case Frame::kVersion: {
        constexpr uint32_t kNeeded = kHasHash | kHasContent | kHasFirstSeq | kHasMessages;
        if ((ver_has_ & kNeeded) != kNeeded) {
          return Fail("a version lacks its hash, content, first snapshot or message count");
        }
        rec_.versions.push_back(std::move(ver_));
        return true;
      }
      case Frame::kVersionAsset:
        if (!(ref_has_ & kHasId)) return Fail("a file reference lacks its id");
        ver_.assets.push_back(std::move(ref_));
        return true;
      case Frame::kContent:
        if ((content_has_ & (kHasSize | kHasChunks)) != (kHasSize | kHasChunks)) {
          return Fail("a chunk list lacks its size or chunks");
        }
        return true;
      case Frame::kAsset: {
        constexpr uint32_t kNeeded = kHasId | kHasName | kHasContent | kHasFirstSeq;
        if ((asset_has_ & kNeeded) != kNeeded) {
          return Fail("a file entry lacks its id, name, content or first snapshot");
        }
        std::string id = asset_.id;
        catalog_.assets.emplace(std::move(id), std::move(asset_));
        return true;
      }
      case Frame::kConversations:
      case Frame::kVersions:
      case Frame::kVersionAssets:
      case Frame::kChunks:
      case Frame::kAssets:
        return true;
    }
    return true;
  }

  Catalog catalog_;
  std::string error_;
  std::vector<Frame> frames_;
  std::string key_;
  int skip_ = 0;  // depth inside an unknown member's value

  std::string format_;
  uint64_t version_ = 0;
  uint32_t root_has_ = 0;
  ConversationRecord rec_;
  uint32_t rec_has_ = 0;
  ConversationVersion ver_;
  uint32_t ver_has_ = 0;
  ConversationVersion::AssetRef ref_;
  uint32_t ref_has_ = 0;
  AssetRecord asset_;
  uint32_t asset_has_ = 0;
  ChunkList* content_ = nullptr;
  uint32_t content_has_ = 0;
};

}  // namespace

Result<Catalog> DecodeCatalog(std::string_view text) {
  CatalogHandler h;
  FastJson fast = FastSaxParse(text, h);
  bool ok = fast == FastJson::kDone;
  if (fast == FastJson::kNotHandled) {
    // What the fast reader leaves to nlohmann (odd escapes, bad syntax).
    h = CatalogHandler();
    ok = json::sax_parse(text, &h);
  }
  if (ok) return std::move(h.catalog());
  // A catalog of another format or version may be laid out otherwise: say
  // so rather than call it damaged. Only a failed read pays for this DOM.
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && (j.value("format", json()) != kCatalogFormat ||
                        j.value("version", json()) != kCatalogVersion)) {
    return Status::NotSupported("unknown catalog format");
  }
  return Status::Corruption("damaged catalog: " + h.error());
}

}  // namespace gptvault::vault
