#!/usr/bin/env bash
# Installs what is missing, builds, and starts Kitsune in the foreground on 127.0.0.1:10009.
# Extra arguments are passed on (for example --conf kyuubi.authentication=NOSASL).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh" release
mkdir -p "$root/work"
cd "$root/work"
exec "$root/build-release/bin/kitsune-engine" \
  --conf kyuubi.frontend.thrift.binary.bind.host=127.0.0.1 \
  --conf kyuubi.frontend.thrift.binary.bind.port=10009 \
  --conf kyuubi.session.engine.idle.timeout=0 \
  "$@"
