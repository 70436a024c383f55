// The little XML the S3 backend reads: ListObjectsV2 pages and error
// bodies. Not a general XML parser; it finds elements by name, which is all
// S3's flat, namespace-free responses need, and decodes entities and CDATA.
// Malformed input yields kCorruption, never a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gptvault/util/status.h"

namespace gptvault::storage::s3xml {

// Replaces &amp; &lt; &gt; &quot; &apos; and numeric references (&#38;,
// &#x26;, encoded as UTF-8) and unwraps <![CDATA[...]]> sections. Unknown
// or broken references are kept as they are.
std::string DecodeText(std::string_view text);

// The decoded text of the first <tag>...</tag> (or <tag/>) in `xml`.
std::optional<std::string> FirstText(std::string_view xml, std::string_view tag);

struct ListedObject {
  std::string key;
  uint64_t size = 0;
  int64_t last_modified = 0;  // seconds since 1970; 0 when absent or unreadable
};

struct ListPage {
  std::vector<ListedObject> objects;
  bool truncated = false;
  std::string next_continuation_token;  // set when truncated
};

// A ListBucketResult of ListObjectsV2.
Result<ListPage> ParseListObjectsV2(std::string_view xml);

// The Code and Message of an <Error> body; empty when absent.
struct ErrorInfo {
  std::string code;
  std::string message;
};
ErrorInfo ParseError(std::string_view xml);

}  // namespace gptvault::storage::s3xml
