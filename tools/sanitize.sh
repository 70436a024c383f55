#!/usr/bin/env bash
# Sanitizer build: compiles everything with AddressSanitizer (leak checks on)
# and UndefinedBehaviorSanitizer (-DGPTVAULT_SANITIZE=ON, gcc) into
# build-asan/, then runs the unit tests and end-to-end tests against the
# sanitized binary. Any report fails the run: UBSan does not recover, and a
# leak makes gptvault exit non-zero, which the e2e tests see.
#
# Which e2e tests: $GPTVAULT_ASAN_E2E (default: test_bad_input test_layouts,
# the hostile archives and every layout; about N minutes on 2 cores), or "all".
set -euo pipefail
cd "$(dirname "$0")/.."
build="$(realpath -m "${GPTVAULT_ASAN_BUILD_DIR:-build-asan}")"
e2e="${GPTVAULT_ASAN_E2E:-test_bad_input test_layouts}"

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGPTVAULT_SANITIZE=ON >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export GPTVAULT_BIN="$build/gptvault" GPTVAULT_SOURCE_DIR="$PWD"
export GPTVAULT_SANITIZED=1  # tests skip memory bounds, which ASan's own memory voids

echo "sanitize: unit tests"
"$build/tests/gptvault_tests"
if [ "$e2e" = "all" ]; then
  mapfile -t e2e_tests < <(cd tests/e2e && ls test_*.py | sed 's/\.py$//')
else
  read -r -a e2e_tests <<<"$e2e"
fi
echo "sanitize: e2e ${e2e_tests[*]}"
(cd tests/e2e && python3 -m unittest "${e2e_tests[@]}")
echo "sanitize: ok"
