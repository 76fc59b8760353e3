#!/usr/bin/env bash
# The README's first command: install dependencies, build, and run the quickstart pipeline
# twice; the second run is served entirely from the cache.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
"$src/scripts/deps.sh"
"$src/scripts/build.sh" "$src/build"
cd "$src/examples/quickstart"
# A fresh store inside the build tree, so the first run really executes every node.
export WEFT_STORE="$src/build/quickstart-store"
rm -rf "$WEFT_STORE"
echo "== first run: every node executes"
"$src/build/weft" run quickstart.lua
echo "== second run: every node is a cache hit"
"$src/build/weft" run quickstart.lua
