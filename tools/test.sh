#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, and runs every test
# (doctest unit tests and the end-to-end tests that drive the real binary),
# then the libFuzzer smoke run (tools/fuzz-smoke.sh) and the whole suite
# again under AddressSanitizer + UndefinedBehaviorSanitizer
# (tools/sanitize.sh). Exits non-zero when anything fails.
#
# GPTVAULT_QUICK=1 skips the fuzz and sanitizer stages (for a quick local
# loop; CI always runs them).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
# One layout, enforced: .clang-format at the root.
git ls-files '*.cc' '*.h' | xargs clang-format-14 --style=file --dry-run --Werror
bash tools/build.sh
ctest --test-dir "${GPTVAULT_BUILD_DIR:-build}" --output-on-failure -j"$(nproc)"

if [ -z "${GPTVAULT_QUICK:-}" ]; then
  bash tools/fuzz-smoke.sh
  bash tools/sanitize.sh
fi
