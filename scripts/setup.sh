#!/usr/bin/env bash
# Installs what Kitsune needs to build and test on Debian bookworm, and nothing when it is there.
# Safe to run again; needs root (or sudo) only when a package is missing.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)

# Build tools, the libraries Kitsune links, and the real services its tests start.
packages=(
  build-essential cmake ninja-build pkg-config python3 curl jq
  thrift-compiler libthrift-dev libboost-all-dev
  libsasl2-dev libsasl2-modules libsasl2-modules-gssapi-mit
  libkrb5-dev krb5-kdc krb5-admin-server krb5-user
  libldap-dev slapd ldap-utils
  libzookeeper-mt-dev zookeeper
  libyaml-cpp-dev libspdlog-dev libgtest-dev nlohmann-json3-dev
  libssl-dev libsqlite3-dev libpq-dev postgresql
  mariadb-server libmariadb-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "setup: need root or sudo to install packages" >&2; exit 1; }
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo -E apt-get install -y -q "${missing[@]}"
fi

# The npm client the integration tests drive Kitsune with, pinned by its lock file.
hd="$root/tests/hive-driver"
if [ -f "$hd/package-lock.json" ]; then
  stamp="$hd/node_modules/.kitsune-lock.sha256"
  want=$(sha256sum "$hd/package-lock.json" | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "setup: installing the hive-driver test client (npm ci)"
    # The npm kerberos module builds from source with node-gyp; Debian's nodejs ships the
    # headers it needs under /usr/include/node, so node-gyp must not try to download them.
    if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
      export npm_config_nodedir=/usr
    fi
    (cd "$hd" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$stamp"
  fi
fi
