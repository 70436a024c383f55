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
# Which e2e tests: $GPTVAULT_ASAN_E2E, default "all" (every suite, run by
# ctest in parallel as the normal build's are), or a list such as
# "test_bad_input test_layouts" for a quicker run by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
build="$(realpath -m "${GPTVAULT_ASAN_BUILD_DIR:-build-asan}")"
e2e="${GPTVAULT_ASAN_E2E:-all}"

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DGPTVAULT_SANITIZE=ON >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export GPTVAULT_BIN="$build/gptvault" GPTVAULT_SOURCE_DIR="$PWD"
export GPTVAULT_SANITIZED=1  # tests skip memory bounds, which ASan's own memory voids

if [ "$e2e" = "all" ]; then
  only='.*'
else
  only="^unit\$"
  for t in $e2e; do only="$only|^e2e\.$t\$"; done
fi
echo "sanitize: unit tests and e2e ${e2e} under ASan+UBSan"
if ! ctest --test-dir "$build" --output-on-failure -j"$(nproc)" -R "$only"; then
  echo "sanitize: FAILED" >&2
  exit 1
fi
echo "sanitize: ok"
