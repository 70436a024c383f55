#!/usr/bin/env bash
# Fuzzing smoke test: builds the libFuzzer targets of fuzz/ with clang into
# build-fuzz/ (everything instrumented, with ASan and UBSan), replays every
# input kept under fuzz/regressions/<target>/, then fuzzes each target for
# $GPTVAULT_FUZZ_SECONDS (default 30) seconds from its seed corpus.
#
# A crashing input found here is written to fuzz/regressions/<target>/: keep
# it, and it is replayed by every later run until it no longer fails.
# Longer runs by hand: build-fuzz/fuzz/<target> -max_total_time=600 WORKDIR fuzz/corpus/<target>
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${GPTVAULT_FUZZ_SECONDS:-30}"
build="${GPTVAULT_FUZZ_BUILD_DIR:-build-fuzz}"
targets=(fuzz_zip_reader fuzz_json_array_splitter fuzz_conversation fuzz_json_sax
         fuzz_conversation_render)
limits=(-rss_limit_mb=2048 -timeout=25)
dict=(-dict=fuzz/json.dict)  # JSON and export-format tokens; not for the ZIP target

cmake -S . -B "$build" -DCMAKE_CXX_COMPILER=clang++-14 \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGPTVAULT_FUZZ=ON -DGPTVAULT_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}" >/dev/null

failed=()
for t in "${targets[@]}"; do
  bin="$build/fuzz/$t"
  mkdir -p "fuzz/regressions/$t"
  mapfile -t kept < <(find "fuzz/regressions/$t" -type f ! -name '.*' | sort)
  if [ ${#kept[@]} -gt 0 ]; then
    echo "$t: replaying ${#kept[@]} regression inputs"
    for input in "${kept[@]}"; do  # one at a time: the first failure would stop a batch
      "$bin" "${limits[@]}" "$input" >/dev/null 2>&1 || { echo "$t: FAILS on $input"; failed+=("$input"); }
    done
  fi
  work="$(mktemp -d)"
  extra=()
  [ "$t" = fuzz_zip_reader ] || extra=("${dict[@]}")
  echo "$t: fuzzing for ${seconds}s"
  if ! "$bin" "${limits[@]}" "${extra[@]}" -max_total_time="$seconds" -print_final_stats=1 \
       -artifact_prefix="fuzz/regressions/$t/" "$work" "fuzz/corpus/$t" >"$work.log" 2>&1; then
    tail -n 40 "$work.log"
    failed+=("$t (new input in fuzz/regressions/$t/)")
  fi
  grep -E '^stat::number_of_executed_units' "$work.log" | sed "s/^/$t: /" || true
  rm -rf "$work" "$work.log"
done

if [ ${#failed[@]} -gt 0 ]; then
  printf 'fuzz-smoke: FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "fuzz-smoke: ok"
