#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, and runs every test
# (doctest unit tests and the end-to-end tests that drive the real binary),
# then the fuzzing smoke test and the sanitizer build.
# Exits non-zero when anything fails.
#
# The two later stages each build the tree again with other compilers' flags;
# set GPTVAULT_SKIP_FUZZ=1 or GPTVAULT_SKIP_SANITIZE=1 to leave one out.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
bash tools/build.sh
ctest --test-dir "${GPTVAULT_BUILD_DIR:-build}" --output-on-failure -j"$(nproc)"

# libFuzzer targets, 30 s each plus every kept regression input: ~TIME_FUZZ on 2 cores.
if [ -z "${GPTVAULT_SKIP_FUZZ:-}" ]; then
  bash tools/fuzz-smoke.sh
fi
# ASan + UBSan build, unit tests and the hostile-archive and layout e2e tests: ~TIME_ASAN on 2 cores.
if [ -z "${GPTVAULT_SKIP_SANITIZE:-}" ]; then
  bash tools/sanitize.sh
fi
