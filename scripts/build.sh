#!/usr/bin/env bash
# Configures and builds Kitsune with Ninja. usage: scripts/build.sh <release|test|bench>
#   release: optimised, into build-release/
#   test:    warnings as errors, AddressSanitizer and UndefinedBehaviorSanitizer, into build-test/
#   bench:   optimised with debug info (for perf), kitsune-bench and what it starts, into build-bench/
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kind=${1:-release}
targets=()
case "$kind" in
  release) dir="$root/build-release"; flags=(-DCMAKE_BUILD_TYPE=Release -DKITSUNE_BUILD_TESTS=OFF) ;;
  test) dir="$root/build-test"; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DKITSUNE_WERROR=ON -DKITSUNE_SANITIZE=ON) ;;
  bench) dir="$root/build-bench"; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo); targets=(kitsune-bench) ;;
  *) echo "usage: $0 <release|test|bench>" >&2; exit 2 ;;
esac
cmake -S "$root" -B "$dir" -G Ninja "${flags[@]}" >/dev/null
ninja -C "$dir" "${targets[@]}"
