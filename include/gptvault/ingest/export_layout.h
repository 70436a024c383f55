// Recognises the files of a ChatGPT export by name, whatever the layout year.
#pragma once

#include <string_view>

namespace gptvault::ingest {

// True for `conversations.json` and `conversations-NNN.json` at any depth
// (the 2023-25 single file and the 2026 shards).
bool IsConversationsFile(std::string_view member_name);

}  // namespace gptvault::ingest
