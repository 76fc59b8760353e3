#!/usr/bin/env bash
# bench/automat.sh [SIZE] [SEEDS]: AutoMat's targets, measured.
#  1. The benchmark: every library material (21) x 3 noise tiers, simulated
#     at SIZE x SIZE pixels (default 1024), seeds SEEDS (default 1-1),
#     through the agent's steps (tests/automat/eval.c), scored by structure
#     matching against the simulated truth: the per-tier table. Then the
#     same images through the template-free line alone.
#  2. Latency: one 1024 x 1024 image and one 4096 x 4096 image (2H-MoS2,
#     dose 1000) through `weft run pipelines/automat.lua` (cold store), each
#     beside its target (issue 26: 1 s and 5 s), with the per-node times of
#     its stages. BIG=0 skips the 4096 x 4096 one.
# Needs a built tree (scripts/build.sh build, or $BUILD).
set -euo pipefail
size=${1:-1024}
seeds=${2:-1-1}
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$src/build}
eval_bin=$build/tests/automat-eval
weft=$build/weft
lib=$src/plugins/automat/templates
[ -x "$eval_bin" ] && [ -x "$weft" ] || { echo "bench: build first (scripts/build.sh build)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/automat-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "== benchmark: $(ls "$lib"/*.cif | wc -l) materials x 3 tiers, ${size}x${size}, seeds $seeds"
"$eval_bin" bench "$lib" --size "$size" --seeds "$seeds" | tee "$work/bench.txt" | tail -5
echo "-- images not matched:"
grep ' no ' "$work/bench.txt" || echo "   none"
awk 'NR > 1 && $1 != "" && $2 ~ /^[123]$/ { s += $8; n++ } END { if (n) printf "-- analysis time per image (simulation excluded): mean %.3f s over %d\n", s / n, n }' "$work/bench.txt"
echo
echo "== the template-free line alone"
"$eval_bin" bench "$lib" --size "$size" --seeds "$seeds" --line free | tail -4
echo
latency() { # size, target seconds
  local px=$1 target=$2
  echo "== latency: pipelines/automat.lua on one $px x $px image (cold store)"
  cat >"$work/sim$px.lua" <<LUA
local s = ops.automat.simulate { name = "sim", structure = weft.file("$lib/2H-MoS2.cif"), size = $px, dose = 1000, seed = 3 }
return ops.core.export { name = "img", artifact = s.image, path = "$work/mos2-$px.png" }
LUA
  "$weft" run --store "$work/store0" -q "$work/sim$px.lua" >/dev/null 2>&1
  sync
  local start end secs
  start=$(date +%s.%N)
  "$weft" run --store "$work/store$px" -q "$src/pipelines/automat.lua" -p image="$work/mos2-$px.png" -p elements=Mo,S \
    -p out="$work/out$px" >/dev/null 2>&1
  end=$(date +%s.%N)
  secs=$(echo "$end - $start" | bc)
  printf "weft run: %.2f s, relaxation included (target <= %s s): %s\n" "$secs" "$target" \
    "$(awk -v s="$secs" -v t="$target" 'BEGIN { print (s <= t ? "PASS" : "FAIL") }')"
  "$weft" show --store "$work/store$px" 2>/dev/null | awk '$2 == "done" { printf "  %-22s %s\n", $1, $4 }'
}
latency 1024 1
if [ "${BIG:-1}" != 0 ]; then
  echo
  latency 4096 5
fi
