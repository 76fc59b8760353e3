#!/usr/bin/env bash
# bench/autodata.sh [--split dev|heldout|fresh|unseen|final|all] [--rate R] [--ablation] [--keep DIR]
# Instruct2DS-local (docs/plugins/autodata.md): starts the seeded sites of
# bench/autodata/sites.py on 127.0.0.1, runs pipelines/autodata.lua on each
# (three domains x 36 layout variants: 0-3 development, 4-5 held apart
# until their first score, 6-23 composed at random and developed on after
# their first score, 24-35 composed at random and never developed on: the
# figure of record),
# scores every dataset against the ground truth (bench/autodata/score.py)
# and prints record and field F1 per site, the mean per domain and split,
# pages fetched, LLM calls and tokens, turns and wall time, beside the goal
# (record F1 >= 0.9 in each domain on the deterministic path).
# --ablation also runs each site with artifact_cache=false and with
# routing=broadcast, and prints pages fetched and messages for each.
# --llm runs every pipeline against the scripted OpenAI-compatible server
# (tests/helpers/openai_stub.py) answering with empty rules, so that the
# agents' prompts are sent and counted (tokens are the stub's count, a
# quarter of the characters) while induction does the extraction.
# Needs a built tree ($BUILD, default build/).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${BUILD:-$src/build}")
weft=$build/weft
[ -x "$weft" ] || { echo "bench: build first (scripts/build.sh build)" >&2; exit 1; }
split=all
rate=50
ablation=0
llm=0
keep=""
while [ $# -gt 0 ]; do
  case $1 in
    --split) split=$2; shift ;;
    --rate) rate=$2; shift ;;
    --ablation) ablation=1 ;;
    --llm) llm=1 ;;
    --keep) keep=$2; shift ;;
    *) echo "bench: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
work=${keep:-$(mktemp -d "${TMPDIR:-/tmp}/autodata-bench.XXXXXX")}
mkdir -p "$work"
python3 "$src/bench/autodata/sites.py" truth --out "$work/truth"
rm -f "$work/port"
python3 "$src/bench/autodata/sites.py" serve --port-file "$work/port" --log "$work/requests.log" &
server=$!
trap 'kill $server 2>/dev/null; [ -n "$keep" ] || rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
port=$(cat "$work/port")

declare -A INSTR=(
  [academic]="Collect every paper of the 2023 conference with title, authors, abstract and PDF link"
  [finance]="Collect the daily share prices of every listed symbol: symbol, date, open, high, low, close and volume"
  [sports]="Collect every game of the season with its date, home and away teams, both scores and the venue"
)
declare -A FIELDS=(
  [academic]="title,authors,abstract,pdf"
  [finance]="symbol,date,open,high,low,close,volume"
  [sports]="date,home,away,home_score,away_score,venue"
)

# run SITE_DIR DOMAIN VARIANT TAG [-p ...]: one pipeline run, scored; one TSV line
run() {
  local d=$1 v=$2 tag=$3
  shift 3
  local store="$work/store-$tag"
  local pipe="$src/pipelines/autodata.lua" stub=""
  if [ "$llm" = 1 ]; then
    # a pipeline directory of its own, whose weft.yaml names the stub
    local pd="$work/llm-$d-$v-$tag"
    rm -rf "$pd" && mkdir -p "$pd" && git -C "$pd" init -q && cp "$pipe" "$pd/autodata.lua"
    echo '{"fields": [], "sources": []}' > "$pd/reply.txt"
    (cd "$pd" && exec python3 "$src/tests/helpers/openai_stub.py" port reply.txt llm.log) &
    stub=$!
    for _ in $(seq 100); do [ -s "$pd/port" ] && break; sleep 0.05; done
    printf 'llm: {url: "http://127.0.0.1:%s/v1", model: stub-1, api_key_env: STUB_KEY, retries: 0, timeout: 10}\n' \
      "$(cat "$pd/port")" > "$pd/weft.yaml"
    pipe="$pd/autodata.lua"
  fi
  local start_ns
  start_ns=$(date +%s%N)
  if ! STUB_KEY=k "$weft" run -q --store "$store" "$pipe" -p start="http://127.0.0.1:$port/$d/v$v/" \
      -p fields="${FIELDS[$d]}" -p instruction="${INSTR[$d]}" -p rate="$rate" "$@" > "$work/$d-v$v-$tag.log" 2>&1; then
    [ -z "$stub" ] || kill "$stub" 2>/dev/null
    printf '%s\tv%s\t%s\tFAILED (see %s)\n' "$d" "$v" "$tag" "$work/$d-v$v-$tag.log"
    return
  fi
  local wall=$(( ($(date +%s%N) - start_ns) / 1000000 ))
  [ -z "$stub" ] || kill "$stub" 2>/dev/null
  rm -rf "$work/out-$d-$v-$tag"
  "$weft" export --store "$store" export.out "$work/out-$d-$v-$tag" >/dev/null 2>&1
  "$weft" cat --store "$store" report.summary > "$work/summary-$d-$v-$tag.json"
  local s
  s=$(python3 "$src/bench/autodata/score.py" "$work/out-$d-$v-$tag/dataset.jsonl" "$work/truth/$d-v$v.jsonl" \
      "${FIELDS[$d]}" --json)
  python3 - "$d" "$v" "$tag" "$wall" "$s" "$work/summary-$d-$v-$tag.json" <<'PY'
import json, sys
d, v, tag, wall, s, summ = sys.argv[1:]
s = json.loads(s); m = json.load(open(summ))
fields = " ".join(f"{k}={x['f1']:.2f}" for k, x in s["fields"].items())
print(f"{d}\tv{v}\t{tag}\t{s['record']['f1']:.3f}\t{s['record']['precision']:.3f}\t{s['record']['recall']:.3f}\t"
      f"{s['records_pred']}/{s['records_true']}\t{m['pages']}+{m['api_documents']}\t{m['fetched']}\t"
      f"{m['llm_calls']}/{m['llm_tokens']}\t{m['turns']}\t{m['messages_delivered']}\t{int(wall)/1000:.1f}\t{fields}")
PY
}

variants() {
  case $split in dev) echo 0 1 2 3 ;; heldout) echo 4 5 ;; fresh) echo 6 7 8 9 10 11 ;; unseen) seq 12 23 ;; final) seq 24 35 ;; *) seq 0 35 ;; esac
}

echo "== Instruct2DS-local, $split split (rate $rate req/s per host, $([ "$llm" = 1 ] && echo "the scripted LLM server" || echo "deterministic path"))"
printf 'domain\tsite\trun\trecF1\tP\tR\trecords\tpages+api\tfetched\tllm calls/tokens\tturns\tmessages\twall_s\tfield F1\n'
: > "$work/results.tsv"
for d in academic finance sports; do
  for v in $(variants); do
    run "$d" "$v" main | tee -a "$work/results.tsv"
    if [ "$ablation" = 1 ]; then
      run "$d" "$v" nocache -p artifact_cache=false | tee -a "$work/results.tsv"
      run "$d" "$v" broadcast -p routing=broadcast | tee -a "$work/results.tsv"
    fi
  done
done
echo
echo "== mean record F1 per domain and split (goal: >= 0.9 in each domain, held-out layouts too)"
python3 - "$work/results.tsv" <<'PY'
import sys, collections
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if "\t" in l]
split = lambda v: "final" if int(v[1:]) >= 24 else "unseen" if int(v[1:]) >= 12 else "fresh" if int(v[1:]) >= 6 else "heldout" if v in ("v4", "v5") else "dev"
agg = collections.defaultdict(list)
for r in rows:
    if len(r) < 5 or r[3].startswith("FAILED"):
        if len(r) >= 3:
            agg[(r[0], split(r[1]), r[2])].append(0.0)
        continue
    agg[(r[0], split(r[1]), r[2])].append(float(r[3]))
for (d, sp, tag), xs in sorted(agg.items()):
    m = sum(xs) / len(xs)
    print(f"{d:9s} {sp:8s} {tag:9s} record F1 {m:.3f} over {len(xs)} sites  {'PASS' if m >= 0.9 else 'below 0.9'}")
# per run (the ablations): totals over the sites
tags = sorted({r[2] for r in rows if len(r) > 12})
if len(tags) > 1:
    print()
    print("== per run, over all sites: mean record F1, pages fetched (200s), messages delivered, LLM tokens, wall s")
    for t in tags:
        rs = [r for r in rows if len(r) > 12 and r[2] == t]
        f1 = sum(float(r[3]) for r in rs) / len(rs)
        fetched = sum(int(r[8]) for r in rs)
        msgs = sum(int(r[11]) for r in rs)
        toks = sum(int(r[9].split("/")[1]) for r in rs)
        wall = sum(float(r[12]) for r in rs)
        print(f"{t:10s} F1 {f1:.3f}  fetched {fetched:5d}  messages {msgs:4d}  tokens {toks:6d}  wall {wall:6.1f}")
PY
