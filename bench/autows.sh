#!/usr/bin/env bash
# bench/autows.sh [SEEDS]: AutoWS's targets, measured.
#  1. Label-model fit time on 100,000 rows x 100 LFs (target: under 2 s).
#  2. AutoWS against the 100-label supervised baseline on generated data
#     (4 classes, 4 informative features, 8 / 24 / 48 noise features), one
#     split per seed (default 1-20).
#  3. The same on the real datasets Debian's python3-sklearn ships: breast
#     cancer (569 rows, 30 features, 2 classes) and digits (1,797 rows, 64
#     features, 10 classes), one split per seed.
#  4. pipelines/autows.lua on its default data and on each real CSV: the
#     test accuracy of every label model's end model and of the baseline.
# Needs a built tree (scripts/build.sh build, or $BUILD).
set -euo pipefail
seeds=${1:-1-20}
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$src/build}
eval_bin=$build/tests/autows-eval
weft=$build/weft
[ -x "$eval_bin" ] && [ -x "$weft" ] || { echo "bench: build first (scripts/build.sh build)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/autows-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

summary() { grep 'beat the baseline'; }
means() { # mean test accuracy per method, and the baseline's, from compare's table
  awk '$1 ~ /^[0-9]+$/ { a[$2] += $3; n[$2]++; b += $5; nb++ }
       END { for (m in a) printf "  %-12s mean accuracy %.3f\n", m, a[m] / n[m]; printf "  %-12s mean accuracy %.3f\n", "baseline", b / nb }'
}
compare() { # label, then compare's options
  local label=$1; shift
  echo "-- $label"
  "$eval_bin" compare --seeds "$seeds" "$@" >"$work/t"
  means <"$work/t"
  summary <"$work/t"
}

echo "== label-model fit, 100,000 x 100"
"$eval_bin" time --rows 100000 --lfs 100
echo
echo "== generated data, seeds $seeds"
for noise in 8 24 48; do compare "$noise noise features" --noise "$noise"; done
echo
echo "== real data (python3-sklearn), seeds $seeds"
for d in breast_cancer digits; do
  bash "$src/scripts/sklearn-csv.sh" "$d" "$work/$d.csv"
  compare "$d" --csv "$work/$d.csv"
done
compare "digits, max_lfs 100" --csv "$work/digits.csv" --max-lfs 100
echo
echo "== through weft: pipelines/autows.lua (cold store)"
for d in default breast_cancer digits; do
  args=()
  [ "$d" = default ] || args=(-p data="$work/$d.csv")
  start=$(date +%s.%N)
  "$weft" run --store "$work/store" -q "$src/pipelines/autows.lua" -p out="$work/out-$d" "${args[@]}" >/dev/null
  end=$(date +%s.%N)
  printf -- "-- %s: %.2f s\n" "$d" "$(echo "$end - $start" | bc)"
  for m in majority dawid_skene triplet metal; do
    jq -r --arg m "$m" '"  \($m): autows \(.autows.accuracy) baseline \(.supervised_baseline.accuracy) helped \(.autows_helped) test coverage \(.test_coverage)"' \
      "$work/out-$d/$m/report.json"
  done
done
