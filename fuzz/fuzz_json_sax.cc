// libFuzzer target: the fast JSON reader against nlohmann's, on arbitrary
// bytes. The contract of include/gptvault/util/json_sax.h: whatever the fast reader
// accepts (kDone), nlohmann accepts too, with the very same events in the
// same order; anything else it must leave to nlohmann (kNotHandled). Any
// disagreement aborts, so the fuzzer keeps the input.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "../tests/unit/json_event_log.h"
#include "gptvault/util/json_sax.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using gptvault::testing::JsonEventLog;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  JsonEventLog fast, slow;
  const auto verdict = gptvault::FastSaxParse(text, fast);
  if (verdict == gptvault::FastJson::kHandlerStopped) std::abort();  // never asked to stop
  if (verdict != gptvault::FastJson::kDone) return 0;
  const bool nlohmann_ok = nlohmann::json::sax_parse(text.begin(), text.end(), &slow);
  if (!nlohmann_ok || fast.log != slow.log) std::abort();
  return 0;
}
