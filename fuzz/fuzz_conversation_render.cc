// libFuzzer target: what restore --format md|html and list --search do with
// a conversation the vault could hold (one ParseConversation accepts). Besides
// crashes, sanitizer reports and stack exhaustion, it checks the headers'
// promises: rendering such a conversation never fails, the HTML holds no
// script element, and a search's context is valid UTF-8 on one line.
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "gptvault/ingest/conversation.h"
#include "gptvault/ingest/conversation_render.h"
#include "gptvault/ingest/conversation_search.h"

namespace {

bool HasScript(std::string html) {
  for (char& c : html) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return html.find("<script") != std::string::npos;
}

bool ValidUtf8(const std::string& s) {
  try {
    (void)nlohmann::json(s).dump();
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gptvault::ingest;
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  if (!ParseConversation(json).ok()) return 0;  // never stored
  auto link = [](const std::string& id) -> std::optional<std::string> {
    if (id.size() % 2) return std::nullopt;
    return "files/" + id;
  };
  auto md = RenderConversation(json, RenderFormat::kMarkdown, link);
  auto html = RenderConversation(json, RenderFormat::kHtml, link);
  if (!md.ok() || !html.ok()) std::abort();
  if (HasScript(*html)) std::abort();
  // Queries the input itself suggests: its first bytes, and a common letter.
  for (std::string_view query : {json.substr(0, 3), std::string_view("e")}) {
    if (auto hit = FindInConversation(json, query)) {
      if (hit->find('\n') != std::string::npos || !ValidUtf8(*hit)) std::abort();
    }
  }
  return 0;
}
