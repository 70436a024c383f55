// An export's own date, read before it is added: what `add` sorts several
// archives by, so that they go in oldest first.
#pragma once

#include <optional>
#include <string>

#include "gptvault/util/status.h"

namespace gptvault::ingest {

// The newest update_time among the archive's conversations (seconds since
// 1970), or nullopt when none has one. Reads the conversations files only,
// and fails as ExportReader and ParseConversation would on the same bytes.
Result<std::optional<double>> ReadExportTime(const std::string& archive_path);

}  // namespace gptvault::ingest
