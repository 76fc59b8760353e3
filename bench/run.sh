#!/usr/bin/env bash
# bench/run.sh [--smoke]: the engine's speed targets (issue "Engine v2"),
# each figure printed beside its target with PASS or FAIL, in one run.
#
#  1. Instruction counts (callgrind; stable on a busy machine):
#     - no-op rerun of the 1,000-node in-process DAG (bench/dag.lua 20x50,
#       kind=noop, -j1) against ninja's no-op on a 1,000-node DAG of the same
#       shape: at most 2x;
#     - `weft run` of a 1-node pipeline: at most 10M, outside a git
#       repository and (reported beside it) inside one, where libgit2 is
#       loaded to record provenance.
#  2. 10,000 shell nodes (100x100, -j2): cold wall at most 1.05x ninja's
#     (the median of 9 paired rounds' ratios, which of the two runs first
#     alternating), no-op at most 2x ninja's (medians of 11 runs each,
#     alternated); make is printed for reference.
#  3. 100,000 in-process noop nodes: cold at most 5 s, rerun at most 2 s,
#     peak RSS at most 2 KiB per node over the 1-node baseline.
#  4. `weft plan` of 1,000,000 nodes: at most 10 s.
#  5. Content hashing: at least 1 GB/s on one core.
#
# --smoke runs every step at small sizes (CI runs it so the script cannot
# rot); its PASS/FAIL lines say nothing about the targets.
# Needs: a built weft (build/ or $WEFT, weft-hashbench beside it), ninja,
# make, GNU time, valgrind (step 1 is skipped without it).
# Always exits 0 when every step ran: the targets are reported, not enforced.
set -euo pipefail
smoke=0
[ "${1:-}" = "--smoke" ] && smoke=1
src=$(cd "$(dirname "$0")/.." && pwd)
weft=$(realpath "${WEFT:-$src/build/weft}")
hashbench=$(dirname "$weft")/weft-hashbench
jobs=${JOBS:-2}
work=$(mktemp -d "${TMPDIR:-/tmp}/weft-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
[ -x "$weft" ] || { echo "bench: no weft binary at $weft (build first: scripts/build.sh build)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: needs GNU time (apt-get install time)" >&2; exit 1; }
command -v ninja >/dev/null || { echo "bench: needs ninja (apt-get install ninja-build)" >&2; exit 1; }
command -v git >/dev/null || { echo "bench: needs git (apt-get install git)" >&2; exit 1; }

# The pipeline runs from a clean repository of its own, not from this
# checkout: weft records the repository a pipeline lives in, and a
# checkout with modified files makes it load libgit2 to tell what
# changed: with 8 files modified a 1-node run took 28.6M instructions
# against 3.9M in a clean repository, and a bench run made from such a
# checkout measured the 1,000-node no-op at 3.06x ninja's against 1.95x.
# The figures would depend on what the developer had not committed.
mkdir -p "$work/repo"
cp "$src/bench/dag.lua" "$work/repo/dag.lua"
(cd "$work/repo" && git init -q && git add dag.lua &&
  git -c user.name=bench -c user.email=bench@localhost commit -q -m dag) ||
  { echo "bench: cannot make a git repository in $work/repo" >&2; exit 1; }
dag=$work/repo/dag.lua

if [ $smoke = 1 ]; then
  cg_l=4 cg_w=5 sh_l=10 sh_w=10 big_l=10 big_w=100 plan_l=100 plan_w=100 hash_mib=16
else
  cg_l=20 cg_w=50 sh_l=100 sh_w=100 big_l=100 big_w=1000 plan_l=1000 plan_w=1000 hash_mib=256
fi

calc() { awk "BEGIN { print $1 }"; }
# med X...: the median. A no-op takes a tenth of a second, and one run's
# figure moved by 10% from run to run: the no-ops are taken 11 times each,
# weft's and ninja's alternated so that a drift hits both.
med() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# verdict VALUE OP LIMIT: PASS or FAIL
verdict() { if awk "BEGIN { exit !($1 $2 $3) }"; then echo PASS; else echo FAIL; fi; }
# report LABEL VALUE UNIT OP LIMIT
report() { printf "%-52s %10.3f %-4s target %s %-5s %s\n" "$1" "$2" "$3" "$4" "$5" "$(verdict "$2" "$4" "$5")"; }

# ninja_dag DIR LAYERS WIDTH: the same DAG and commands as bench/dag.lua's shell kind
ninja_dag() {
  mkdir -p "$1"
  awk -v L="$2" -v W="$3" -v ninja="$1/build.ninja" -v mk="$1/Makefile" 'BEGIN {
    print "rule sh\n  command = $cmd\n" > ninja
    printf "all:" > mk
    for (i = 0; i < W; i++) printf " n%d_%d", L - 1, i > mk
    print "\n" > mk
    for (l = 0; l < L; l++) for (i = 0; i < W; i++) {
      id = l "_" i; out = "n" id
      if (l == 0) { deps = ""; cmd = "echo " id " > " out }
      else {
        a = "n" (l - 1) "_" i; b = "n" (l - 1) "_" ((7 * i + 1) % W)
        deps = a " " b; cmd = "(echo " id "; cat " a " " b ") | cksum > " out
      }
      printf "build %s: sh %s\n  cmd = %s\n", out, deps, cmd > ninja
      printf "%s: %s\n\t%s\n", out, deps, cmd > mk
    }
  }'
}

# timed DIR CMD...: wall seconds into SECS, peak RSS KiB into KIB
timed() {
  local dir=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  if ! (cd "$dir" && /usr/bin/time -f "%M" -o "$work/time" "$@" >"$work/log" 2>&1); then
    echo "bench: $* failed; last lines:" >&2; tail -5 "$work/log" >&2; exit 1
  fi
  t1=$(date +%s.%N)
  SECS=$(calc "$t1 - $t0")
  KIB=$(tail -1 "$work/time")
}

# instructions DIR CMD...: callgrind's instruction count of CMD
instructions() {
  local dir=$1; shift
  (cd "$dir" && valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null) |
    awk '/Collected :/ { print $NF }' | tail -1
}

echo "weft engine benchmark$([ $smoke = 1 ] && echo ' (smoke sizes: figures are not comparable with the targets)'), -j $jobs"
echo

echo "== 1. instructions (callgrind)"
if [ -n "${BENCH_NO_VALGRIND:-}" ]; then
  echo "skipped (BENCH_NO_VALGRIND: a sanitizer build cannot run under valgrind)"
elif command -v valgrind >/dev/null; then
  n=$((cg_l * cg_w))
  ninja_dag "$work/cg-ninja" "$cg_l" "$cg_w"
  (cd "$work/cg-ninja" && ninja -j1 >/dev/null)
  ninja_noop=$(instructions "$work/cg-ninja" ninja -j1)
  export WEFT_STORE="$work/cg-store"
  mkdir -p "$work/cg-weft"
  timed "$work/cg-weft" "$weft" run -q -j1 "$dag" -p layers=$cg_l -p width=$cg_w -p kind=noop
  weft_noop=$(instructions "$work/cg-weft" "$weft" run -q -j1 "$dag" -p layers=$cg_l -p width=$cg_w -p kind=noop)
  echo "ninja no-op, $n nodes: $ninja_noop instructions; weft no-op rerun: $weft_noop"
  report "no-op rerun, $n-node DAG, weft/ninja instructions" "$(calc "$weft_noop / $ninja_noop")" x "<=" 2
  mkdir -p "$work/norepo"
  cp "$dag" "$work/norepo/dag.lua"
  export WEFT_STORE="$work/one-store"
  one_out=$(instructions "$work/norepo" "$weft" run -q "$work/norepo/dag.lua" -p layers=1 -p width=1 -p kind=noop)
  rm -rf "$WEFT_STORE"
  one_in=$(instructions "$work/cg-weft" "$weft" run -q "$dag" -p layers=1 -p width=1 -p kind=noop)
  report "weft run, 1 node, outside a git repository (M instr)" "$(calc "$one_out / 1e6")" M "<=" 10
  report "weft run, 1 node, inside a git repository (M instr)" "$(calc "$one_in / 1e6")" M "<=" 10
else
  echo "valgrind not installed: skipped (apt-get install valgrind)"
fi
echo

echo "== 2. $((sh_l * sh_w)) shell nodes (${sh_l}x${sh_w}), -j $jobs"
ninja_dag "$work/ninja" "$sh_l" "$sh_w"
cp "$work/ninja/Makefile" "$work/make.mk"
mkdir -p "$work/make" "$work/weft"
mv "$work/make.mk" "$work/make/Makefile"
export WEFT_STORE="$work/sh-store"
# Cold: nine rounds of one weft run and one ninja run, each from nothing
# (weft's store and ninja's directory moved aside, a fresh build.ninja
# copied in), ninja first in every other round. The target is judged on
# the median of the rounds' ratios: this machine's speed drifts by more
# than the 5% margin within minutes (ninja alone took 14.9 to 17.2 s in
# one sitting), and a ratio of two adjacent runs cancels what a ratio of
# two medians of runs minutes apart does not. With three rounds, one
# pair's ratio moved between 1.09 and 1.17 from run to run. Nine, not
# five: in the runs before this change single rounds ranged from 0.87 to
# 1.33 (the machine's own speed: ninja alone took 8.5 to 12.0 s within
# an hour), and three runs of five rounds gave medians of 1.036, 1.030
# and 1.105, while their fifteen rounds pooled gave 1.036. The old ones
# are moved, not deleted, until the
# bench ends: ext4 charges each inode a run creates for the inodes freed in
# the last half minute or so (`recently_deleted`), and deleting weft's
# 20,000-file store right before its run, against ninja's 10,000 outputs,
# charged weft more (a user's cold run does not follow the removal of its
# own store).
mkdir -p "$work/trash"
cp "$work/ninja/build.ninja" "$work/build.ninja.pristine"
weft_colds=() ninja_colds=() ratios=()
cold_weft() {
  timed "$work/weft" "$weft" run -q -j "$jobs" "$dag" -p layers=$sh_l -p width=$sh_w
  weft_colds+=("$SECS")
}
cold_ninja() {
  timed "$work/ninja" ninja -j "$jobs"
  ninja_colds+=("$SECS")
}
for ((r = 0; r < 9; r++)); do
  [ ! -e "$WEFT_STORE" ] || mv "$WEFT_STORE" "$work/trash/store-$r"
  mv "$work/ninja" "$work/trash/ninja-$r"
  mkdir "$work/ninja" && cp "$work/build.ninja.pristine" "$work/ninja/build.ninja"
  if ((r % 2 == 0)); then cold_weft; cold_ninja; else cold_ninja; cold_weft; fi
  ratios+=("$(calc "${weft_colds[r]} / ${ninja_colds[r]}")")
done
weft_cold=$(med "${weft_colds[@]}")
ninja_cold=$(med "${ninja_colds[@]}")
cold_ratio=$(med "${ratios[@]}")
echo "cold rounds (weft/ninja): ${ratios[*]}; ratio of the medians: $(calc "$weft_cold / $ninja_cold")"
weft_all=() ninja_all=()
for ((r = 0; r < 11; r++)); do
  timed "$work/weft" "$weft" run -q -j "$jobs" "$dag" -p layers=$sh_l -p width=$sh_w
  weft_all+=("$SECS")
  timed "$work/ninja" ninja -j "$jobs"
  ninja_all+=("$SECS")
done
weft_noop=$(med "${weft_all[@]}")
ninja_noop=$(med "${ninja_all[@]}")
timed "$work/make" make -s -j "$jobs"
make_cold=$SECS
timed "$work/make" make -s -j "$jobs"
make_noop=$SECS
printf "wall seconds: weft cold %.3f, no-op %.3f; ninja cold %.3f, no-op %.3f; make cold %.3f, no-op %.3f (colds: medians of 9, no-ops: of 11, alternated)\n" \
  "$weft_cold" "$weft_noop" "$ninja_cold" "$ninja_noop" "$make_cold" "$make_noop"
report "shell DAG cold, weft/ninja wall (median round)" "$cold_ratio" x "<=" 1.05
report "shell DAG no-op, weft/ninja wall" "$(calc "$weft_noop / $ninja_noop")" x "<=" 2
echo

n=$((big_l * big_w))
echo "== 3. $n in-process noop nodes (${big_l}x${big_w}), -j $jobs"
export WEFT_STORE="$work/base-store"
timed "$work/weft" "$weft" run -q "$dag" -p layers=1 -p width=1 -p kind=noop
base_kib=$KIB
export WEFT_STORE="$work/noop-store"
timed "$work/weft" "$weft" run -q -j "$jobs" "$dag" -p layers=$big_l -p width=$big_w -p kind=noop
cold=$SECS cold_kib=$KIB
timed "$work/weft" "$weft" run -q -j "$jobs" "$dag" -p layers=$big_l -p width=$big_w -p kind=noop
rerun=$SECS rerun_kib=$KIB
peak=$((cold_kib > rerun_kib ? cold_kib : rerun_kib))
report "noop DAG cold (s)" "$(calc "$cold")" s "<=" 5
report "noop DAG rerun (s)" "$(calc "$rerun")" s "<=" 2
report "peak RSS per node over the 1-node run (KiB)" "$(calc "($peak - $base_kib) / $n")" KiB "<=" 2
echo

n=$((plan_l * plan_w))
echo "== 4. weft plan of $n nodes"
export WEFT_STORE="$work/plan-store"
timed "$work/weft" "$weft" plan -q "$dag" -p layers=$plan_l -p width=$plan_w -p kind=noop
report "plan of $n nodes (s)" "$(calc "$SECS")" s "<=" 10
printf "(peak RSS %.0f MiB)\n" "$(calc "$KIB / 1024")"
echo

echo "== 5. content hashing"
if [ -x "$hashbench" ]; then
  line=$("$hashbench" "$hash_mib")
  echo "$line"
  report "SHA-256, one core (GB/s)" "$(echo "$line" | awk '{ for (i = 1; i <= NF; i++) if ($i == "GB/s") { print $(i - 1); exit } }')" GB/s ">=" 1
else
  echo "no $hashbench: skipped"
fi
