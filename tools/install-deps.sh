#!/usr/bin/env bash
# Installs what gptvault needs to build and test, from Debian 12 packages.
# Skips apt entirely when everything is already there, so it is cheap to call
# from every script.
set -euo pipefail

packages=(cmake g++ make pkg-config python3 zip zlib1g-dev
          libsodium-dev libzip-dev nlohmann-json3-dev libcli11-dev doctest-dev libzstd-dev)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "gptvault needs these Debian packages: ${missing[*]}" >&2
  echo "run this script as root, or: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
