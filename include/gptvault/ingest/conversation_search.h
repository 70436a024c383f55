// Finding text in a conversation, for `list --search`: in its title and in
// what its messages say (every string under a message's `content`: text
// parts, code, transcripts, quotes), not in ids, model names, URLs of
// pointers or other metadata, which would match nearly everything.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gptvault::ingest {

// The first place `query` occurs, as one line of context around it (at most
// about 100 bytes, cut at character boundaries), or nullopt. Matching ignores
// the case of ASCII letters; other characters match exactly, without Unicode
// normalisation. Reading stops at the first match, and at the first byte
// that is not JSON: nothing after it is found.
std::optional<std::string> FindInConversation(std::string_view json, std::string_view query);

}  // namespace gptvault::ingest
