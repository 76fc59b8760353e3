#!/usr/bin/env bash
# bench/autobi.sh [TABLES] [ROWS]: Auto-BI's latency and accuracy targets.
#  1. In process (tests/autobi/eval.c): one generated schema of TABLES tables
#     (default 100) with facts of up to ROWS rows (default 10000); prints the
#     time of each stage (CSV parsing, profiling, candidates, prediction,
#     k-MCA, model) and the edge F1 on that schema.
#  2. The F1 table of the evaluation harness on held-out seeds 1-20.
#  3. The same schema through `weft run pipelines/autobi.lua`, wall time.
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
"$eval_bin" bench "$model" --tables "$tables" --rows "$rows"
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
