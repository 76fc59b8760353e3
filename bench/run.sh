#!/usr/bin/env bash
# bench/run.sh [LAYERS] [WIDTH]: the layered-DAG benchmark. Builds the same DAG of
# tiny shell commands with weft, ninja, make and snakemake, cold and then with
# nothing to do, and prints wall time and peak RSS for each; then runs the DAG
# with in-process core.noop ops to show weft's own cost per node.
# Needs: a built weft (build/ or $WEFT), ninja, make, GNU time; snakemake is
# optional (apt-get install snakemake) and skipped when absent or with
# SKIP_SNAKEMAKE=1 (at 100x100 it takes about ten minutes).
set -euo pipefail
layers=${1:-100}
width=${2:-100}
src=$(cd "$(dirname "$0")/.." && pwd)
weft=${WEFT:-$src/build/weft}
jobs=${JOBS:-$(nproc)}
work=$(mktemp -d "${TMPDIR:-/tmp}/weft-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
[ -x "$weft" ] || { echo "bench: no weft binary at $weft (build first: scripts/build.sh build)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: needs GNU time (apt-get install time)" >&2; exit 1; }
n=$((layers * width))

# One awk pass writes all three build files with the same commands as dag.lua.
mkdir -p "$work/ninja" "$work/make" "$work/smk"
awk -v L="$layers" -v W="$width" -v ninja="$work/ninja/build.ninja" -v mk="$work/make/Makefile" \
    -v smk="$work/smk/Snakefile" 'BEGIN {
  print "rule sh\n  command = $cmd\n" > ninja
  printf "all:" > mk
  for (i = 0; i < W; i++) printf " n%d_%d", L - 1, i > mk
  print "\n" > mk
  printf "rule all:\n    input: [" > smk
  for (i = 0; i < W; i++) printf "\"n%d_%d\",", L - 1, i > smk
  print "]\n" > smk
  for (l = 0; l < L; l++) for (i = 0; i < W; i++) {
    id = l "_" i; out = "n" id
    if (l == 0) { deps = ""; cmd = "echo " id " > " out }
    else {
      a = "n" (l - 1) "_" i; b = "n" (l - 1) "_" ((7 * i + 1) % W)
      deps = a " " b; cmd = "(echo " id "; cat " a " " b ") | cksum > " out
    }
    printf "build %s: sh %s\n  cmd = %s\n", out, deps, cmd > ninja
    printf "%s: %s\n\t%s\n", out, deps, cmd > mk
    printf "rule r%s:\n    output: \"%s\"\n", id, out > smk
    if (l > 0) printf "    input: \"%s\", \"%s\"\n", a, b > smk
    printf "    shell: \"%s\"\n", cmd > smk
  }
}'

calc() { awk "BEGIN { print $1 }"; }

# measure LABEL DIR CMD...: prints wall seconds and peak RSS (MiB) of CMD
measure() {
  local label=$1 dir=$2; shift 2
  local t="$work/time.$$"
  local t0 t1 secs kib
  t0=$(date +%s.%N)
  if ! (cd "$dir" && /usr/bin/time -f "%M" -o "$t" "$@" >"$work/log" 2>&1); then
    echo "bench: $label failed; last lines:" >&2; tail -5 "$work/log" >&2; return 1
  fi
  t1=$(date +%s.%N)
  secs=$(calc "$t1 - $t0")
  kib=$(tail -1 "$t")
  printf "%-26s %9.3f s %9.1f MiB\n" "$label" "$secs" "$(calc "$kib / 1024")"
  LAST_SECS=$secs LAST_KIB=$kib
}

echo "layered DAG: $layers layers x $width wide = $n shell nodes, -j $jobs"
printf "%-26s %11s %13s\n" "tool" "wall" "peak RSS"
export WEFT_STORE="$work/weft-store"
mkdir -p "$work/weft"
measure "weft cold" "$work/weft" "$weft" run -q -j "$jobs" "$src/bench/dag.lua" -p layers="$layers" -p width="$width"
measure "weft no-op" "$work/weft" "$weft" run -q -j "$jobs" "$src/bench/dag.lua" -p layers="$layers" -p width="$width"
measure "ninja cold" "$work/ninja" ninja -j "$jobs"
measure "ninja no-op" "$work/ninja" ninja -j "$jobs"
measure "make cold" "$work/make" make -s -j "$jobs"
measure "make no-op" "$work/make" make -s -j "$jobs"
if [ "${SKIP_SNAKEMAKE:-0}" = 1 ]; then
  echo "snakemake: skipped (SKIP_SNAKEMAKE=1)"
elif command -v snakemake >/dev/null; then
  measure "snakemake cold" "$work/smk" snakemake -q -c "$jobs"
  measure "snakemake no-op" "$work/smk" snakemake -q -c "$jobs"
else
  echo "snakemake: not installed, skipped (apt-get install snakemake)"
fi

echo
echo "in-process core.noop DAG, $n nodes (fresh store):"
export WEFT_STORE="$work/noop-store"
measure "weft noop cold" "$work/weft" "$weft" run -q -j "$jobs" "$src/bench/dag.lua" -p layers="$layers" -p width="$width" -p kind=noop
cold=$LAST_SECS kib=$LAST_KIB
measure "weft noop rerun" "$work/weft" "$weft" run -q -j "$jobs" "$src/bench/dag.lua" -p layers="$layers" -p width="$width" -p kind=noop
# The same script with one node in a store of its own (no earlier record of
# this pipeline to load): what start-up alone costs.
export WEFT_STORE="$work/baseline-store"
measure "weft 1-node baseline" "$work/weft" "$weft" run -q "$src/bench/dag.lua" -p layers=1 -p width=1 -p kind=noop
base=$LAST_SECS base_kib=$LAST_KIB
printf "engine cost per node, cold (incl. script, hashing, cache writes): %.1f us\n" \
  "$(calc "($cold - $base) * 1000000 / $n")"
printf "memory per node (peak RSS over the baseline): %.2f KiB\n" "$(calc "($kib - $base_kib) / $n")"
