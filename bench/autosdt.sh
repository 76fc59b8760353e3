#!/usr/bin/env bash
# AutoSDT benchmark: builds the offline corpus from Debian's documentation
# packages (bench/autosdt/corpus.py), scores the deterministic judge against
# the hand labels (bench/autosdt/judge_eval.py), then runs
# pipelines/autosdt.lua on the dev and the held-out repositories: per-stage
# yields, VER, wall time, and the cache hit rate of a rerun. Targets: judge
# precision >= 0.9, VER >= 0.9 among the kept tasks.
#
#   bench/autosdt.sh [--split dev|heldout|final|all] [--time-limit S] [--keep DIR] [-j N] [--weft-yaml FILE]
#
# --weft-yaml gives the runs a weft.yaml, e.g. one with an `llm:` section:
# then the README filter, the judge, the adaptation, the self-debug rounds
# and the instructions ask that model, and the rescue rate is printed.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
weft="${WEFT:-$src/build-rel/weft}"
split=all time_limit=120 keep="" jobs=2 yaml=""
while [ $# -gt 0 ]; do
  case "$1" in
    --split) split="$2"; shift 2 ;;
    --time-limit) time_limit="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    -j) jobs="$2"; shift 2 ;;
    --weft-yaml) yaml="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; shift 2 ;;
    *) echo "usage: $0 [--split dev|heldout|final|all] [--time-limit S] [--keep DIR] [-j N] [--weft-yaml FILE]" >&2
       exit 2 ;;
  esac
done
[ -x "$weft" ] || { echo "build weft first (cmake --build build-rel): $weft" >&2; exit 1; }
export WEFT_PYTHON="${WEFT_PYTHON:-/usr/bin/python3}"
work="${keep:-$(mktemp -d)}"
mkdir -p "$work"
[ -n "$keep" ] || trap 'rm -rf "$work"' EXIT
python3 "$src/bench/autosdt/corpus.py" "$work/corpus"
echo "== judge against the hand labels (bench/autosdt/labels.jsonl)"
python3 "$src/bench/autosdt/judge_eval.py" "$work/corpus" "$src/plugins/autosdt/share" > "$work/judge.txt"
head -4 "$work/judge.txt"
splits="$split"
[ "$split" = all ] && splits="dev heldout final"
for s in $splits; do
  only=$(python3 -c "import json,sys; print(','.join(json.load(open(sys.argv[1]))[sys.argv[2]]))" \
    "$work/corpus/splits.json" "$s")
  d="$work/run-$s"
  mkdir -p "$d"
  cp "$src/pipelines/autosdt.lua" "$d/"
  ( cd "$d" && git init -q . 2>/dev/null; if [ -n "$yaml" ]; then cp "$yaml" weft.yaml; else : > weft.yaml; fi )
  run() {
    local t0 t1
    t0=$(date +%s.%N)
    (cd "$d" && "$weft" run autosdt.lua -p corpus="$work/corpus" -p only="$only" -p time_limit="$time_limit" \
       -j "$jobs" > "$d/$1.log" 2>&1) || { echo "run failed: $d/$1.log" >&2; tail -5 "$d/$1.log" >&2; exit 1; }
    t1=$(date +%s.%N)
    echo "$(python3 -c "print(round($t1 - $t0, 1))")"
  }
  cold=$(run cold)
  warm=$(run rerun)
  (cd "$d" && "$weft" cat dataset.stats) > "$d/stats.json"
  summary=$(grep -o '[0-9]* nodes: [0-9]* executed, [0-9]* cached' "$d/rerun.log" | tail -1)
  python3 - "$d/stats.json" "$s" "$cold" "$warm" "$summary" <<'PY'
import json, re, sys
st = json.load(open(sys.argv[1]))
split, cold, warm, summary = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
m = re.match(r"(\d+) nodes: (\d+) executed, (\d+) cached", summary)
n, ex, ca = (int(x) for x in m.groups()) if m else (0, 0, 0)
print(f"== {split}: {st['repositories']} repositories")
print("   files {files} -> pre-filtered {prefiltered} -> judged {judged} -> located {located} -> environment "
      "{environment} -> adapted {adapted} -> verified {verified} -> after dedup {after_dedup}".format(**st))
print(f"   VER {st['ver']:.3f} ({st['verified']}/{st['adapted']})   target >= 0.9   "
      f"{'PASS' if st['ver'] >= 0.9 else 'MISS'}; timeouts {st['timeouts']}, over the output limit {st['over_size']}, "
      f"duplicates removed {len(st['duplicates'])}")
print(f"   first run verified {st['first_run_verified']}; self-debug rescued {st['rescued_by_debug']} of "
      f"{st['failed_first_run']} that failed first (rounds run only with an LLM)")
print(f"   wall: cold {cold} s, rerun {warm} s; rerun: {ex} of {n} nodes executed, {ca} cached "
      f"(hit rate {ca / max(1, ex + ca):.3f}; search always runs)")
for k, v in sorted(st["dropped"].items(), key=lambda x: -x[1])[:12]:
    print(f"   dropped {v:4d}  {k}")
PY
done
