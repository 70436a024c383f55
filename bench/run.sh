#!/usr/bin/env bash
# gptvault side by side with restic and borg, on the same synthetic exports.
#
#   bash bench/run.sh [--size small|medium|large|all] [--runs 3] [--rss-series auto|mini|full|off]
#
# 1. installs restic, borgbackup, time and unzip from Debian when missing (needs root),
# 2. builds gptvault (tools/build.sh -> build/gptvault; BENCH_NO_BUILD=1 skips this),
# 3. hands over to bench/bench.py, which generates the exports (cached in bench/.cache/),
#    runs every step --runs times with fresh repositories and writes bench/results/.
# See bench/README.md for what is measured and why.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

die() { echo "bench: $*" >&2; exit 1; }

command -v python3 >/dev/null || die "python3 is required (apt-get install python3)"

# Answer --help, and reject a bad command line, before installing or building anything.
for a in "$@"; do
  case "$a" in -h|--help) exec python3 "$here/bench.py" --help ;; esac
done
python3 "$here/bench.py" --parse-only "$@"

# --- 1. tools from Debian ---------------------------------------------------------------
missing=()
command -v restic >/dev/null || missing+=(restic)
command -v borg >/dev/null || missing+=(borgbackup)
[ -x /usr/bin/time ] || missing+=(time)
command -v unzip >/dev/null || missing+=(unzip)
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || die "missing Debian packages: ${missing[*]}; run as root or: sudo apt-get install -y ${missing[*]}"
  echo "bench: installing ${missing[*]} ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
      || die "apt-get install ${missing[*]} failed"
  fi
fi

# --- 2. gptvault ----------------------------------------------------------------------------
if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  mkdir -p "$here/.cache/logs"
  buildlog="$here/.cache/logs/build.log"
  echo "bench: building gptvault (tools/build.sh, log in ${buildlog#"$root"/}) ..." >&2
  if ! { bash tools/install-deps.sh && bash tools/build.sh; } >"$buildlog" 2>&1; then
    tail -n 30 "$buildlog" >&2
    die "building gptvault failed; full log: $buildlog"
  fi
fi
[ -x build/gptvault ] || die "build/gptvault is missing (unset BENCH_NO_BUILD to build it)"

# --- 3. the benchmark ---------------------------------------------------------------------
exec python3 "$here/bench.py" "$@"
