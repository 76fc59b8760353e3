#!/usr/bin/env bash
# bench/autodistil.sh [ci|bench] [--keep DIR]: AutoDistil's figures
# (docs/plugins/autodistil.md). Runs pipelines/autodistil.lua in a fresh
# store (the benchmark configuration with the K = 1 ablation, the CI
# configuration as the e2e test runs it, without) and prints:
#  - accuracy against FLOPs and parameters for the teacher and the picked
#    students (Section accuracy and Debtags micro-F1, on test, which was
#    looked at while the plugin was developed, and on heldout, which was
#    not), and the headline: the FLOPs reduction at <= 1 point of loss;
#  - K = 3 against K = 1 at the same training steps (bench);
#  - the search's cost: students tried, scored, functional hits, seconds;
#  - the wall time beside its target (ci <= 180 s, bench <= 2700 s, on
#    2 cores, nothing else running).
# Needs a built tree ($BUILD, default build/) and a Python with torch
# ($WEFT_PYTHON, default .venv/bin/python).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${BUILD:-$src/build}")
weft=$build/weft
export WEFT_PYTHON=${WEFT_PYTHON:-$src/.venv/bin/python}
[ -x "$weft" ] || { echo "bench: build first (scripts/build.sh build)" >&2; exit 1; }
"$WEFT_PYTHON" -c 'import torch' 2>/dev/null || { echo "bench: run scripts/pydeps.sh" >&2; exit 1; }
config=ci
keep=""
while [ $# -gt 0 ]; do
  case $1 in ci|bench) config=$1 ;; --keep) keep=$2; shift ;; *) echo "bench: unknown argument $1" >&2; exit 2 ;; esac
  shift
done
work=${keep:-$(mktemp -d "${TMPDIR:-/tmp}/autodistil-bench.XXXXXX")}
mkdir -p "$work"
[ -n "$keep" ] || trap 'rm -rf "$work"' EXIT
cd "$work"
ablation=$([ "$config" = bench ] && echo true || echo false)
start=$(date +%s.%N)
"$weft" run --store "$work/.weft" "$src/pipelines/autodistil.lua" -p config="$config" -p ablation=$ablation -j2 \
  > run.log 2>&1 || { tail -20 run.log; exit 1; }
wall=$(echo "$(date +%s.%N) - $start" | bc)
"$weft" cat --store "$work/.weft" report.summary > summary.json
"$weft" cat --store "$work/.weft" report > report.md
echo "== autodistil, $config configuration (pipelines/autodistil.lua -p config=$config -p ablation=$ablation -j2)"
cat report.md
target=$([ "$config" = ci ] && echo 180 || echo 2700)
printf '%-62s %8.1f s   target <= %-5s %s\n' "wall time of the whole run (ablation=$ablation), 2 cores" "$wall" "$target" \
  "$(awk -v w="$wall" -v t="$target" 'BEGIN { print (w <= t) ? "PASS" : "FAIL" }')"
jq -r '.configs | to_entries[] | "search \(.key): \(.value.search.trials) students tried, \(.value.search.evaluations) scored, \(.value.search.full_hits) functional hits, \(.value.search.seconds) s of scoring"' summary.json
