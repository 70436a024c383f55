#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, and runs every test
# (doctest unit tests and the end-to-end tests that drive the real binary).
# Exits non-zero when anything fails.
#
# Two further stages build the tree again with other compilers' flags: the
# libFuzzer smoke run (tools/fuzz-smoke.sh) and the ASan+UBSan run
# (tools/sanitize.sh). They are opt-in (GPTVAULT_EXTRA_CHECKS=1) until their
# time on a clean 2-core CI machine has been measured; run them before
# touching ingest or storage code.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
bash tools/build.sh
ctest --test-dir "${GPTVAULT_BUILD_DIR:-build}" --output-on-failure -j"$(nproc)"

if [ -n "${GPTVAULT_EXTRA_CHECKS:-}" ]; then
  bash tools/fuzz-smoke.sh
  bash tools/sanitize.sh
fi
