#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors and sanitizers, and runs every test.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh" test
# Leaks inside the Kerberos libraries are theirs, not ours (see tests/lsan.supp).
export LSAN_OPTIONS="suppressions=$root/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
# Tests pick their own ports, so they run in parallel; one job per core.
ctest --test-dir "$root/build-test" --output-on-failure -j "$(nproc)" "$@"
