#!/bin/bash
# autodata end to end against Instruct2DS-local's sites (bench/autodata/
# sites.py) served on 127.0.0.1: one site of each domain collected and
# scored against its ground truth; a rerun makes no request; a 429 storm is
# survived; kill -9 mid-crawl and resume fetches no page twice; a site that
# closes itself to crawlers is refused with a clear message; bad input is
# refused before anything is fetched.
. "$(dirname "$0")/lib.sh"
SITES="$WEFT_SRC/bench/autodata/sites.py"
SCORE="$WEFT_SRC/bench/autodata/score.py"
PIPE="$WEFT_SRC/pipelines/autodata.lua"
cd "$T"
python3 "$SITES" truth --out truth

# serve NAME [ARGS]: a server in the background; sets ${NAME}_port, logs
# its requests to NAME.log
pids=()
serve() {
  local name=$1
  shift
  python3 "$SITES" serve --port-file "$name.port" --log "$name.log" "$@" &
  pids+=($!)
  trap 'kill ${pids[*]} 2>/dev/null; rm -rf "$T"' EXIT
  for _ in $(seq 100); do [ -s "$name.port" ] && break; sleep 0.05; done
  eval "${name}_port=$(cat "$name.port")"
}
serve main
serve storm --storm 2

declare -A FIELDS=([academic]="title,authors,abstract,pdf" [finance]="symbol,date,open,high,low,close,volume"
  [sports]="date,home,away,home_score,away_score,venue")

# collect STORE DOMAIN VARIANT PORT [ARGS]: runs the pipeline; RC, $T/out, $T/err
collect() {
  local store=$1 d=$2 v=$3 port=$4
  shift 4
  run_weft run -q --store "$store" "$PIPE" -p start="http://127.0.0.1:$port/$d/v$v/" -p fields="${FIELDS[$d]}" \
    -p instruction="Collect every $d record" -p rate=100 "$@"
}

# f1 STORE DOMAIN VARIANT: record F1 of the store's newest dataset
f1() {
  rm -rf "$T/ds"
  "$WEFT" export --store "$1" export.out "$T/ds" >/dev/null 2>&1 || { echo 0; return; }
  python3 "$SCORE" "$T/ds/dataset.jsonl" "truth/$2-v$3.jsonl" "${FIELDS[$2]}" --json | jq -r '.record.f1'
}

# -- each domain end to end
for site in academic:0 finance:1 sports:2; do
  d=${site%:*} v=${site#*:}
  collect "$T/s-$d" "$d" "$v" "$main_port"
  expect_rc 0 "$d v$v: the pipeline runs"
  check "$d v$v: record F1 >= 0.9 against the ground truth ($(f1 "$T/s-$d" "$d" "$v"))" \
    awk -v f="$(f1 "$T/s-$d" "$d" "$v")" 'BEGIN { exit !(f >= 0.9) }'
done
sum=$("$WEFT" cat --store "$T/s-finance" report.summary)
check "finance: the API behind its key was found and read ($(echo "$sum" | jq .api_documents) answers)" \
  [ "$(echo "$sum" | jq .api_documents)" -gt 0 ]
eq "$(echo "$sum" | jq .llm_calls)" 0 "the deterministic path makes no LLM call"
head -1 "$T/ds/dataset.csv" > header.csv
rm -rf "$T/ds"
"$WEFT" export --store "$T/s-academic" export.out "$T/ds" >/dev/null 2>&1
eq "$(head -1 "$T/ds/dataset.csv" | tr -d '\r')" "title,authors,abstract,pdf" "the CSV's header is the fields, in order"
eq "$(wc -l < "$T/ds/dataset.jsonl")" "$(wc -l < truth/academic-v0.jsonl)" "the JSONL has one line per paper"

# -- a rerun is a cache hit and makes no request
before=$(wc -l < main.log)
collect "$T/s-academic" academic 0 "$main_port"
expect_rc 0 "the rerun succeeds"
eq "$(wc -l < main.log)" "$before" "the rerun made no request to the site"
eq "$(WEFT_STORE="$T/s-academic" rec '.counts.executed')" 0 "and executed no node"

# -- the HTTP cache: another run over the same pages (a new instruction, so
# the crawl runs again) with max_age=0 revalidates every page: 304s, no 200
: > main.log
collect "$T/s-academic" academic 0 "$main_port" -p instruction="Every paper again" -p max_age=0
expect_rc 0 "a new crawl of the same site"
eq "$(grep -v ' /robots.txt ' main.log | grep -c ' 200$')" 0 "fetches no page again (robots.txt has no validator)"
check "but revalidates them ($(grep -c ' 304$' main.log) answers 304)" [ "$(grep -c ' 304$' main.log)" -gt 80 ]
sum=$("$WEFT" cat --store "$T/s-academic" report.summary)
eq "$(echo "$sum" | jq .not_modified)" "$(grep -c ' 304$' main.log)" "and the report counts the 304s"

# -- the engineer-validator loop: a Title column filled in half the rows is
# refused by the validator, and the next turn takes the detail pages' heading
run_weft run -q --store "$T/s-quirks" "$PIPE" -p start="http://127.0.0.1:$main_port/quirks/v0/" -p fields=title,authors \
  -p instruction="papers" -p rate=100
expect_rc 0 "a site with a half-empty column"
sum=$("$WEFT" cat --store "$T/s-quirks" report.summary)
eq "$(echo "$sum" | jq .turns)" 2 "takes two turns"
v1=$("$WEFT" cat --store "$T/s-quirks" validate_1.message)
check "the first verdict refuses the column, with evidence ($(echo "$v1" | jq -r '.body.problems[0]'))" \
  [ "$(echo "$v1" | jq '.body.reject | length')" -gt 0 -a "$(echo "$v1" | jq '.body.evidence[0].records | length')" -gt 0 ]
eq "$(echo "$sum" | jq .ok)" true "and the second passes"
rm -rf "$T/ds"
"$WEFT" export --store "$T/s-quirks" export.out "$T/ds" >/dev/null 2>&1
check "with every title ($(python3 "$SCORE" "$T/ds/dataset.jsonl" truth/quirks-v0.jsonl title,authors))" \
  python3 -c "import json,sys; s=json.loads(sys.argv[1]); sys.exit(s['record']['f1'] < 0.99)" \
  "$(python3 "$SCORE" "$T/ds/dataset.jsonl" truth/quirks-v0.jsonl title,authors --json)"

# -- a 429 storm: the first two requests for every path answer 429 with Retry-After
collect "$T/s-storm" sports 0 "$storm_port" -p max_turns=1
expect_rc 0 "a 429 storm is survived"
n429=$(grep -c ' 429$' storm.log)
check "the server did answer 429 ($n429 times)" [ "$n429" -gt 10 ]
check "and the data is all there (F1 $(f1 "$T/s-storm" sports 0))" \
  awk -v f="$(f1 "$T/s-storm" sports 0)" 'BEGIN { exit !(f >= 0.9) }'
sum=$("$WEFT" cat --store "$T/s-storm" report.summary)
eq "$(echo "$sum" | jq '.pages')" 13 "every schedule and box-score page was fetched"

# -- kill -9 mid-crawl, then resume: no page is fetched twice
: > kill.log
serve kill
WEFT_STORE="$T/s-kill" "$WEFT" run -q --store "$T/s-kill" "$PIPE" -p start="http://127.0.0.1:$kill_port/academic/v1/" \
  -p fields="${FIELDS[academic]}" -p instruction=papers -p rate=15 >/dev/null 2>&1 &
pid=$!
for _ in $(seq 300); do [ "$(grep -c ' 200$' kill.log)" -ge 30 ] && break; sleep 0.05; done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
got=$(grep -c ' 200$' kill.log)
check "the crawl was killed mid-way ($got pages fetched of 107)" [ "$got" -ge 30 -a "$got" -lt 100 ]
export WEFT_STORE="$T/s-kill"
run_weft resume -q
expect_rc 0 "the resumed run finishes"
# A page is kept once its body and meta are renamed into the HTTP cache; one
# the server had sent but weft had not yet stored when killed is fetched
# again. Two nodes crawl (browse and tools), each one page at a time, so at
# most two pages are in flight. (Asserting 0 failed once in CI: the kill
# fell inside that window.)
dups=$(awk '$3 == 200 { n[$2]++ } END { for (p in n) if (n[p] > 1) c++; print c + 0 }' kill.log)
check "no page was fetched twice across the kill but those in flight at it ($dups)" [ "$dups" -le 2 ]
check "F1 after the resume ($(f1 "$T/s-kill" academic 1))" \
  awk -v f="$(f1 "$T/s-kill" academic 1)" 'BEGIN { exit !(f >= 0.9) }'
export WEFT_STORE="$T/store"

# -- robots.txt closes /closed/ to every crawler
run_weft run -q --store "$T/s-closed" "$PIPE" -p start="http://127.0.0.1:$main_port/closed/" -p fields=title \
  -p instruction=x
check "a site that disallows crawling fails the run (exit $RC)" [ "$RC" -ne 0 ]
expect_err "robots.txt disallows /closed/" "and says which rule refused it"
check "nothing under /closed/ was requested" sh -c "! grep -q ' /closed/' main.log"

# -- bad input, refused before any request
before=$(wc -l < main.log)
run_weft run -q --store "$T/s-bad" "$PIPE" -p start="ftp://127.0.0.1/x" -p fields=title -p instruction=x
check "a start that is not http(s) is refused (exit $RC)" [ "$RC" -ne 0 ]
expect_err "is not an http(s) URL" "with a message naming the URL"
run_weft run -q --store "$T/s-bad" "$PIPE" -p start="http://127.0.0.1:$main_port/academic/v0/" -p fields="title:colour" \
  -p instruction=x
check "an unknown field type is refused (exit $RC)" [ "$RC" -ne 0 ]
expect_err "is not one of text, number, date, url, list" "naming the types there are"
eq "$(wc -l < main.log)" "$before" "and no request was made"

# -- the LLM path, against the scripted server: the plan's field types, then
# the engineer's rules, which are used when they pass on the whole crawl
mkdir llm && cd llm
git init -q . 2>/dev/null
cp "$PIPE" ./autodata.lua
PLAN='{"fields": [{"name": "title", "type": "text"}, {"name": "authors", "type": "list"}, {"name": "abstract", "type": "text"}, {"name": "pdf", "type": "url"}]}'
GOOD='{"sources": [{"kind": "page", "template": "/academic/v0/paper/*", "map": {"title": {"path": "h1", "take": "text"}, "authors": {"path": "dl/dd[1]", "take": "list"}, "abstract": {"path": "dl/dd[2]", "take": "text"}, "pdf": {"path": "dl/dd[3]/a", "take": "href"}}}]}'
BAD='{"sources": [{"kind": "page", "template": "/academic/v0/paper/*", "map": {"title": {"path": "h2", "take": "text"}, "abstract": {"path": "p[7]", "take": "text"}}}]}'
jq -cn --arg a "$PLAN" --arg b "$GOOD" '{content: $a}, {content: $b}' > script.jsonl
start_llm_stub script.jsonl
trap 'kill $stub ${pids[*]} 2>/dev/null; rm -rf "$T"' EXIT
printf 'llm: {url: "%s", model: stub-1, api_key_env: STUB_KEY, retries: 1, timeout: 5}\n' "$url" > weft.yaml
STUB_KEY=k run_weft run -q --store "$T/s-llm" autodata.lua -p start="http://127.0.0.1:$main_port/academic/v0/" \
  -p fields="${FIELDS[academic]}" -p instruction="Collect every paper" -p rate=100
expect_rc 0 "with an LLM endpoint"
msg=$("$WEFT" cat --store "$T/s-llm" engineer_1.message)
eq "$(echo "$msg" | jq -r .body.decided_by)" llm "the engineer uses the LLM's rules, which pass on the crawl"
sum=$("$WEFT" cat --store "$T/s-llm" report.summary)
eq "$(echo "$sum" | jq .llm_calls)" 2 "the report counts the two LLM calls"
check "and their tokens ($(echo "$sum" | jq .llm_tokens))" [ "$(echo "$sum" | jq .llm_tokens)" -gt 0 ]
eq "$(echo "$sum" | jq -r .plan_decided_by)" llm "the plan says the LLM typed the fields"
cd "$T"
check "F1 with the LLM's rules ($(f1 "$T/s-llm" academic 0))" \
  awk -v f="$(f1 "$T/s-llm" academic 0)" 'BEGIN { exit !(f >= 0.9) }'
cd llm
jq -cn --arg a "$PLAN" --arg b "$BAD" '{content: $a}, {content: $b}' > script.jsonl
STUB_KEY=k run_weft run -q --store "$T/s-llm2" autodata.lua -p start="http://127.0.0.1:$main_port/academic/v0/" \
  -p fields="${FIELDS[academic]}" -p instruction="Collect every paper" -p rate=100
expect_rc 0 "with rules that do not work"
msg=$("$WEFT" cat --store "$T/s-llm2" engineer_1.message)
eq "$(echo "$msg" | jq -r .body.decided_by)" induction "the engineer falls back to induction"
why=$(echo "$msg" | jq -r .body.fallback_reason)
check "and says why ($(echo "$why" | cut -c1-90))" grep -q "rules were refused" <<< "$why"
cd "$T"
check "F1 after the fallback ($(f1 "$T/s-llm2" academic 0))" \
  awk -v f="$(f1 "$T/s-llm2" academic 0)" 'BEGIN { exit !(f >= 0.9) }'
finish
