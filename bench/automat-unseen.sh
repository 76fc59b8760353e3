#!/usr/bin/env bash
# bench/automat-unseen.sh [SET] [SEEDS] [SIZE] [DIR]: AutoMat on images from
# an independent simulator (scripts/automat-sim.py: another probe, Z exponent,
# noise model and artefacts than the analysis assumes), through
# `weft run pipelines/automat.lua` exactly as a user runs it: the elements,
# and a pixel size with a calibration error of up to 1/2/3% by tier.
#
# SET is dev (22 materials, 14 outside the template library; looked at
# during development) or held (14 materials, kept apart). Prints one row per
# image (matched / refused / wrong, the line, and whether a wrong result was
# still called plausible), then success per tier, in and out of the library.
# Images are kept in DIR (default /tmp/automat-unseen-SET-SEEDS-SIZE) and
# reused when its manifest exists. ONLY=REGEX runs only the images whose
# manifest row matches it (e.g. ONLY='-t3-'); WARNINGS=1 lists the
# warnings each run gave. "wrong but ok" counts wrong structures with no
# warning, "right, warned" right ones with one (the warning that the
# structure differs from the reference is left out: the bench gives the
# truth as the reference). Needs a built tree ($BUILD, default build).
set -euo pipefail
set_=${1:-dev}
seeds=${2:-1-1}
size=${3:-1024}
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$src/build}
dir=${4:-${TMPDIR:-/tmp}/automat-unseen-$set_-$seeds-$size}
weft=$build/weft
[ -x "$weft" ] || { echo "bench: build first (scripts/build.sh build)" >&2; exit 1; }
if [ ! -f "$dir/manifest.tsv" ]; then
  echo "== simulating the $set_ set into $dir"
  /usr/bin/python3 "$src/scripts/automat-sim.py" "$dir" --set "$set_" --seeds "$seeds" --size "$size" >/dev/null
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/automat-unseen.XXXXXX")
trap 'rm -rf "$work"' EXIT
rows=$work/rows.tsv
: >"$rows"
printf "%-30s %-4s %-4s %-8s %-14s %-9s %6s  %s\n" image tier lib result line plausible "sec" "why"
tail -n +2 "$dir/manifest.tsv" | grep -E -- "${ONLY:-.}" | while IFS=$'\t' read -r file mat tier seed elements px tpx lib arts model; do
  out=$work/out/${file%.png}
  start=$(date +%s.%N)
  if "$weft" run --store "$work/store" -q "$src/pipelines/automat.lua" -p image="$dir/$file" \
      -p elements="$elements" -p pixel_size="$px" -p truth="$dir/$mat.cif" -p out="$out" \
      >"$work/log" 2>&1 && [ -f "$out/report.json" ]; then
    sec=$(echo "$(date +%s.%N) - $start" | bc)
    read -r match line why < <(jq -r '[(.compare.match|tostring), .choice.line,
        (.compare.why // "" | gsub(" "; "_"))] | @tsv' "$out/report.json")
    # plausible: no warning but the reference's (the truth is the bench's, not the user's)
    plaus=$(grep 'warning: summary:' "$work/log" | grep -vq 'reference CIF' && echo no || echo yes)
    grep 'warning: summary:' "$work/log" | grep -v 'reference CIF' | sed "s|^|${file%.png}: |" >>"$work/warnings" || true
    result=$([ "$match" = true ] && echo matched || echo wrong)
  else
    sec=$(echo "$(date +%s.%N) - $start" | bc)
    result=refused line=- plaus=- why=$(grep -o 'not periodic[^;]*\|rejected[^;]*\|failed:.*' "$work/log" | head -1 | tr ' ' '_' | cut -c1-60)
  fi
  printf "%-30s %-4s %-4s %-8s %-14s %-9s %6.2f  %s\n" "${file%.png}" "$tier" "$lib" "$result" "$line" "$plaus" "$sec" "${why:-}"
  printf "%s\t%s\t%s\t%s\t%s\t%s\n" "$tier" "$lib" "$result" "$plaus" "$sec" "$file" >>"$rows"
done
echo
awk -F'\t' '
  { if ($3 == "matched" && $4 == "no") rf[$1]++
    n[$1]++; if ($3 == "matched") m[$1]++; if ($3 == "refused") r[$1]++; if ($3 == "wrong" && $4 == "yes") fo[$1]++
    k = $1 "/" $2; nl[k]++; if ($3 == "matched") ml[k]++; t += $5; c++ }
  END {
    printf "%-5s %10s %10s %10s %9s %9s %14s %14s\n", "tier", "matched", "success", "in library", "outside", "refused", "wrong but ok", "right, warned"
    for (i = 1; i <= 3; i++) if (n[i])
      printf "%-5s %7d/%-2d %9.1f%% %7d/%-2d %6d/%-2d %9d %14d %14d\n", i, m[i], n[i], 100 * m[i] / n[i],
        ml[i "/1"], nl[i "/1"], ml[i "/0"], nl[i "/0"], r[i], fo[i], rf[i]
    if (c) printf "mean wall per image: %.2f s over %d\n", t / c, c
  }' "$rows"
if [ -n "${WARNINGS:-}" ] && [ -f "$work/warnings" ]; then echo; echo "-- warnings (the reference's left out):"; cat "$work/warnings"; fi
