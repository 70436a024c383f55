#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, and runs every test
# (doctest unit tests and the end-to-end tests that drive the real binary).
# Exits non-zero when anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
bash tools/build.sh
ctest --test-dir "${GPTVAULT_BUILD_DIR:-build}" --output-on-failure -j"$(nproc)"
