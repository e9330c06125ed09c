#!/usr/bin/env bash
# Installs what is missing, builds, and starts the Kitsune gateway in the foreground on
# 127.0.0.1:10009, with the embedded discovery and the LOCAL engine (conf/kyuubi-defaults.conf).
# Extra arguments are passed on (for example --conf kyuubi.authentication=NOSASL).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh" release
export KYUUBI_WORK_DIR_ROOT="${KYUUBI_WORK_DIR_ROOT:-$root/work}"
mkdir -p "$KYUUBI_WORK_DIR_ROOT"
exec "$root/build-release/bin/kitsune-server" --conf-dir "${KYUUBI_CONF_DIR:-$root/conf}" "$@"
