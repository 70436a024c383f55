#!/usr/bin/env bash
# Installs what gptvault needs to build and test, from Debian 12 packages,
# plus the local S3 server the S3 backend's tests run against (s3rver, from
# npm, into tests/s3/node_modules). Skips apt and npm entirely when
# everything is already there, so it is cheap to call from every script.
set -euo pipefail

packages=(cmake g++ make pkg-config python3 zip zlib1g-dev
          libsodium-dev libzip-dev nlohmann-json3-dev libcli11-dev doctest-dev libzstd-dev
          libisal-dev                  # ISA-L: inflating the export's members
          clang-14 libclang-rt-14-dev  # clang: the libFuzzer targets (tools/fuzz-smoke.sh)
          clang-format-14              # the naming and layout check (tools/test.sh)
          libcurl4-openssl-dev)        # the S3 backend

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm run the S3 tests' server. Checked as commands, not
# packages: a Node.js from elsewhere (nodesource, nvm) serves as well.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "gptvault needs these Debian packages: ${missing[*]}" >&2
    echo "run this script as root, or: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# s3rver and its dependencies, at the versions tests/s3/package-lock.json pins.
s3_tests="$(cd "$(dirname "$0")/.." && pwd)/tests/s3"
if [ ! -d "$s3_tests/node_modules/s3rver" ]; then
  if ! log=$(cd "$s3_tests" && npm install --no-audit --no-fund --loglevel=error 2>&1); then
    echo "$log" >&2
    echo "cannot install the S3 test server: npm install failed in $s3_tests" >&2
    exit 1
  fi
fi
