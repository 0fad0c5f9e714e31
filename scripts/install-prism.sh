#!/usr/bin/env bash
# Installs Prism (stoplight's mock server and request validator, @stoplight/prism-cli from npm)
# into target/prism, for the independent-server suite (cli/tests/prism.rs). Needs node and npm;
# where they are missing and apt-get is at hand (CI), installs them from Debian's packages.
set -euo pipefail
cd "$(dirname "$0")/.."
version=5.14.2
dir=target/prism
prism="$dir/node_modules/.bin/prism"
if [ -x "$prism" ] && [ "$("$prism" --version 2>/dev/null)" = "$version" ]; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
        sudo_if_needed=""
        [ "$(id -u)" -ne 0 ] && sudo_if_needed="sudo"
        $sudo_if_needed apt-get update -qq
        $sudo_if_needed apt-get install -y -qq nodejs npm >/dev/null
    else
        echo "install-prism: npm is needed (node 18 or later)" >&2
        exit 1
    fi
fi
mkdir -p "$dir"
npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "@stoplight/prism-cli@$version"
"$prism" --version
