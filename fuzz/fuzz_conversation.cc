// libFuzzer target: ParseConversation on arbitrary bytes, as one element of a
// conversations file would reach it. Besides crashes, sanitizer reports and
// stack exhaustion, it checks what the header promises: a failure explains
// itself in one line, a success has an id, and the current branch never
// holds more messages than the mapping has nodes.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gptvault/ingest/conversation.h"

namespace {

bool OneLine(const std::string& text) {
  return !text.empty() && text.find('\n') == std::string::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  auto info = gptvault::ingest::ParseConversation(json);
  if (!info.ok()) {
    if (!OneLine(info.status().message())) std::abort();
    return 0;
  }
  if (info->id.empty()) std::abort();
  if (info->message_count > info->node_count) std::abort();
  for (const std::string& warning : info->warnings) {
    if (!OneLine(warning)) std::abort();
  }
  return 0;
}
