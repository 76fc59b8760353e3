#!/usr/bin/env bash
# bench/autobi.sh [TABLES] [ROWS]: Auto-BI's latency and accuracy targets.
#  1. In process (tests/autobi/eval.c): one generated schema of TABLES tables
#     (default 100) with facts of up to ROWS rows (default 10000); prints the
#     time of each stage (CSV parsing, profiling, candidates, prediction,
#     k-MCA, model) and the edge F1 on that schema.
#  2. The F1 table of the evaluation harness on held-out seeds 1-20.
#  3. The same schema through `weft run pipelines/autobi.lua`, wall time.
#  4. The data-lake target (issue 26): LAKE tables (default 1000, facts of
#     up to 10,000 rows) through `weft run`, cold store, beside its target
#     of 5 s, with the stage times of each node. LAKE=0 skips it.
# The in-process pair search uses as many threads as there are cores.
# Needs a built tree (scripts/build.sh build, or $BUILD).
set -euo pipefail
tables=${1:-100}
rows=${2:-10000}
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$src/build}
eval_bin=$build/tests/autobi-eval
weft=$build/weft
model=$src/plugins/autobi/model/joins.json
[ -x "$eval_bin" ] && [ -x "$weft" ] || { echo "bench: build first (scripts/build.sh build)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/autobi-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "== in process: $tables tables, facts of up to $rows rows"
"$eval_bin" bench "$model" --tables "$tables" --rows "$rows" --threads "$(nproc)"
echo
echo "== evaluation harness, held-out seeds 1-20 (TPC-H: seeds 1-3)"
"$eval_bin" eval "$model" --seeds 1-20 --rows 3000
echo
echo "== through weft: pipelines/autobi.lua on the same schema (cold store)"
cat >"$work/gen.lua" <<LUA
local s = ops.autobi.synth { name = "synth", shape = "wide", seed = 7, rows = $rows, tables = $tables }
return ops.core.export { name = "export", artifact = s.out, path = "$work/schema" }
LUA
"$weft" run --store "$work/store" -q "$work/gen.lua" >/dev/null
start=$(date +%s.%N)
"$weft" run --store "$work/store" -q "$src/pipelines/autobi.lua" -p data="$work/schema/tables" -p out="$work/out" >/dev/null
end=$(date +%s.%N)
echo "weft run: $(echo "$end - $start" | bc) s for $(ls "$work/schema/tables" | wc -l) tables"
"$eval_bin" score "$work/out/model.json" "$work/schema/truth.json"

lake=${LAKE:-1000}
[ "$lake" -gt 0 ] || exit 0
echo
echo "== the data-lake target: $lake tables through weft (cold store, -j$(nproc))"
cat >"$work/lake.lua" <<LUA
local s = ops.autobi.synth { name = "synth", shape = "wide", seed = 7, rows = 10000, tables = $lake }
return ops.core.export { name = "export", artifact = s.out, path = "$work/lake" }
LUA
"$weft" run --store "$work/gstore" -q "$work/lake.lua" >/dev/null
sync
start=$(date +%s.%N)
"$weft" run --store "$work/lstore" -q "$src/pipelines/autobi.lua" -p data="$work/lake/tables" -p out="$work/lout" >/dev/null
end=$(date +%s.%N)
secs=$(echo "$end - $start" | bc)
verdict=$(awk -v s="$secs" 'BEGIN { print (s <= 5 ? "PASS" : "FAIL") }')
printf 'weft run: %.2f s for %s tables (target <= 5 s): %s\n' "$secs" "$(ls "$work/lake/tables" | wc -l)" "$verdict"
"$weft" show --store "$work/lstore" 2>/dev/null | awk 'seen && $1 !~ /^profile_/ { printf "  %-14s %s\n", $1, $4 } $1 == "NODE" { seen = 1 }'
"$eval_bin" score "$work/lout/model.json" "$work/lake/truth.json"
