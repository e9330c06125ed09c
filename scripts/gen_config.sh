#!/usr/bin/env bash
# Regenerates conf/kyuubi-defaults.conf.template and docs/configuration.md from the key table
# (include/kitsune/config/keys.h). usage: scripts/gen_config.sh [build dir]  (default: build-release)
# The build directory is configured if it is not one yet; kitsune-confgen is built if needed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$root/build-release}
if [ ! -f "$dir/build.ninja" ]; then
  cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKITSUNE_BUILD_TESTS=OFF >/dev/null
fi
ninja -C "$dir" kitsune-confgen >/dev/null
confgen="$dir/bin/kitsune-confgen"
# Write to a temporary file first so that a failure leaves the committed files alone.
generate() {
  local what=$1 out=$2
  "$confgen" "$what" >"$out.tmp"
  mv "$out.tmp" "$out"
  echo "wrote ${out#"$root"/}"
}
generate template "$root/conf/kyuubi-defaults.conf.template"
generate docs "$root/docs/configuration.md"
