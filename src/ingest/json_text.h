// Text helpers shared by the ingest layer's two readers of conversation
// JSON (conversation.cc, conversation_render.cc). Private to ingest.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace gptvault::ingest {

// One printable line of modest length from a parser's message (nlohmann's
// "[json.exception.parse_error.101] " prefix dropped, control bytes blanked).
std::string OneLine(std::string_view what);

// Real exports hold lone UTF-16 surrogates as "\uD83D" escapes, which
// nlohmann rejects. Returns `json` with each one replaced by "\uFFFD" (same
// length) and sets *replaced to how many there were.
std::string ReplaceLoneSurrogates(std::string_view json, size_t* replaced);

// The file an `asset_pointer` names: "file-service://file-abc" -> "file-abc",
// "sediment://file_00…" -> "file_00…"; nullopt for other schemes and for a
// scheme with nothing after it, which name no file of the export.
std::optional<std::string> AssetIdOfPointer(std::string_view pointer);

}  // namespace gptvault::ingest
