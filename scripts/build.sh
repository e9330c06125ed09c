#!/usr/bin/env bash
# Configures and builds Kitsune with Ninja. usage: scripts/build.sh <release|test>
#   release: optimised, into build-release/
#   test:    warnings as errors, AddressSanitizer and UndefinedBehaviorSanitizer, into build-test/
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kind=${1:-release}
case "$kind" in
  release) dir="$root/build-release"; flags=(-DCMAKE_BUILD_TYPE=Release -DKITSUNE_BUILD_TESTS=OFF) ;;
  test) dir="$root/build-test"; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DKITSUNE_WERROR=ON -DKITSUNE_SANITIZE=ON) ;;
  *) echo "usage: $0 <release|test>" >&2; exit 2 ;;
esac
cmake -S "$root" -B "$dir" -G Ninja "${flags[@]}" >/dev/null
ninja -C "$dir"
