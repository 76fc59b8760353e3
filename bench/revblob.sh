#!/usr/bin/env bash
# bench/revblob.sh [MB]: memory of reading a large file at a git revision
# (`weft plan --rev`), against reading it from the work tree, for a loose
# object (as libgit2 writes it) and a packed one (after `git repack`).
# Target (reliability issue): the blob is streamed, so the peak stays
# within 32 MB of the work tree's, whatever the file's size.
# Needs: a built weft and gitfix (build/ or $WEFT, $GITFIX), git, GNU time.
# Always exits 0 when every step ran: the target is reported, not enforced.
set -euo pipefail
mb=${1:-600}
src=$(cd "$(dirname "$0")/.." && pwd)
weft=$(realpath "${WEFT:-$src/build/weft}")
gitfix=$(realpath "${GITFIX:-$(dirname "$weft")/tests/gitfix}")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export WEFT_STORE=$T/store
cd "$T"
"$weft" init r >/dev/null
cd r
mkdir -p data
# text lines of random base64 (the first head ends the pipe early: SIGPIPE)
(head -c $((mb * 1000000)) /dev/urandom | base64 -w 100 | head -c $((mb * 1000000)) >data/big.txt) || true
[ "$(stat -c %s data/big.txt)" -eq $((mb * 1000000)) ]
cat >pipelines/big.lua <<'LUA'
return ops.core.shell { name = "size", d = weft.file("../data/big.txt"), capture_stdout = true,
  cmd = "wc -c < \"$d\"" }.stdout
LUA
"$gitfix" commit . "big" >/dev/null
"$gitfix" tag . v1

peak() { # peak RSS in KB of `weft plan ARGS`, on an empty store
  rm -rf "$WEFT_STORE"
  /usr/bin/time -f %M -o "$T/rss" "$weft" plan "$@" pipelines/big.lua >/dev/null
  cat "$T/rss"
}
work=$(peak)
loose=$(peak --rev v1)
git -c core.bigFileThreshold=512m repack -adq
git prune-packed
packed=$(peak --rev v1)
printf '%-44s %10s KB\n' "work tree ($mb MB file)" "$work"
for kind in loose packed; do
  v=${!kind}
  verdict=FAIL
  [ $((v - work)) -le 32768 ] && verdict=PASS
  printf '%-44s %10s KB   target <= work tree + 32 MB   %s\n' "--rev, $kind object" "$v" "$verdict"
done
