#!/usr/bin/env bash
# From a fresh clone to a restored conversation: installs the build
# dependencies, builds, generates a demo ChatGPT export, creates the default
# vault (~/.local/share/gptvault) if there is none, adds the export and
# restores one conversation from the vault.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
bash tools/build.sh
bin="$PWD/build/gptvault"

demo="$PWD/demo"
if [ ! -f "$demo/export-01.zip" ]; then
  python3 tools/gen_export.py --out "$demo" --months 1 --conversations 40 --seed 7 >/dev/null
fi

vault_dir="${GPTVAULT_VAULT:-${XDG_DATA_HOME:-$HOME/.local/share}/gptvault}"
# Ask once here (twice for a new vault) and hand the passphrase to our own
# child processes only, instead of asking at every step.
if [ -z "${GPTVAULT_PASSPHRASE:-}" ]; then
  read -r -s -p "Passphrase for the vault at $vault_dir: " p1; echo
  if [ ! -e "$vault_dir/config" ]; then
    read -r -s -p "Repeat it: " p2; echo
    [ "$p1" = "$p2" ] || { echo "the two passphrases differ" >&2; exit 1; }
  fi
  export GPTVAULT_PASSPHRASE="$p1"
fi

[ -e "$vault_dir/config" ] || "$bin" init
"$bin" add "$demo/export-01.zip"
"$bin" list >"$demo/list.txt"
head -n 6 "$demo/list.txt"
id=$("$bin" list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
"$bin" restore "${id:0:8}" -o "$demo/restored.json"
echo "restored conversation ${id} to $demo/restored.json"
