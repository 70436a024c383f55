#!/usr/bin/env bash
# Sanitizer build: compiles everything with AddressSanitizer (leak checks on)
# and UndefinedBehaviorSanitizer (-DGPTVAULT_SANITIZE=ON, gcc) into
# build-asan/, then runs the unit tests and end-to-end tests against the
# sanitized binary. Any report fails the run: UBSan does not recover, and a
# leak makes gptvault exit non-zero, which the e2e tests see.
#
# The build is unoptimised (Debug): with ASan, -O2 triples the compile time
# (~13 CPU-minutes against ~4) for little gain, since the heavy lifting
# (Argon2, zstd, inflate) happens in system libraries either way.
#
# Which e2e tests: $GPTVAULT_ASAN_E2E, default "test_bad_input test_layouts"
# (the hostile archives and every layout, ~2.5 minutes under ASan on 2 cores),
# or "all" (several times longer: too slow for every CI run).
set -euo pipefail
cd "$(dirname "$0")/.."
build="$(realpath -m "${GPTVAULT_ASAN_BUILD_DIR:-build-asan}")"
e2e="${GPTVAULT_ASAN_E2E:-test_bad_input test_layouts}"

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DGPTVAULT_SANITIZE=ON >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export GPTVAULT_BIN="$build/gptvault" GPTVAULT_SOURCE_DIR="$PWD"
export GPTVAULT_SANITIZED=1  # tests skip memory bounds, which ASan's own memory voids

failed=()
echo "sanitize: unit tests"
"$build/tests/gptvault_tests" || failed+=(unit)

if [ "$e2e" = "all" ]; then
  mapfile -t e2e_tests < <(cd tests/e2e && ls test_*.py | sed 's/\.py$//')
else
  read -r -a e2e_tests <<<"$e2e"
fi
echo "sanitize: e2e ${e2e_tests[*]}"
(cd tests/e2e && python3 -m unittest "${e2e_tests[@]}") || failed+=(e2e)

if [ ${#failed[@]} -gt 0 ]; then
  echo "sanitize: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "sanitize: ok"
