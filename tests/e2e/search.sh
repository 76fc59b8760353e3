#!/bin/bash
# weft.search: trials are nodes, so a search is cached trial by trial, a
# rerun runs nothing, and a search killed mid-way resumes to exactly the
# trials table of an uninterrupted run; it stops at its budget, at its
# target, or when a grid is done; a bad space is refused at its line.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

cat > p.lua <<'LUA'
local algo = weft.param("algo", "tpe", "search algorithm")
local budget = weft.param("budget", 12, "trials")
local nap = weft.param("nap", 0.0, "seconds each trial sleeps")
local target = weft.param("target", 1.0, "stop once the objective reaches it (1: never)")
local seed = weft.param("seed", 5, "the search's seed")
local parallel = weft.param("parallel", 3, "trials per round")
local time_budget = weft.param("time_budget", 0.0, "seconds of trials (0: none)")
return weft.search {
  name = "hpo", algorithm = algo, budget = budget, parallel = parallel, seed = seed,
  target = target < 1 and target or nil,
  time_budget = time_budget > 0 and time_budget or nil,
  space = { x = weft.floatv(0, 1), y = weft.floatv(0, 1), k = weft.oneof { "a", "b" } },
  objective = function(c, trial)
    local cmd = string.format("sleep %g; awk 'BEGIN{printf \"%%.6f\", -(%.6f-0.3)^2-(%.6f-0.7)^2%s}'",
      nap, c.x, c.y, c.k == "a" and "" or "-0.1")
    return ops.core.shell { name = "trial_" .. trial, cmd = cmd, capture_stdout = true }.stdout
  end,
}
LUA
result() { jq -r ".nodes[] | select(.name == \"hpo_round_1\") | .outputs.out$1" "$(latest_record)"; }
trials_of() { # the trials CSV of the newest run of store $1
  local h; h=$(jq -r '.nodes[] | select(.name == "hpo_round_1") | .outputs.out.trials["$artifact"]' \
    "$(ls -d "$1"/runs/*/ | sort | tail -1)record.json")
  cat "$1/objects/${h:0:2}/${h:2}"
}

run_weft run p.lua
expect_rc 0 "a TPE search of 12 trials, 3 at a time"
eq "$(rec '[.nodes[] | select(.name | startswith("trial_")) | select(.executed)] | length')" 12 "runs 12 trial nodes"
eq "$(result .stopped)" "budget" "and stops at its budget"
trials_of "$WEFT_STORE" > trials.csv
eq "$(wc -l < trials.csv | tr -d ' ')" 13 "its trials table has a header and 12 rows"
eq "$(head -1 trials.csv)" "trial,round,k,x,y,objective,cost,status,proposed_by,functional,seconds" "with a column per dimension"
best_csv=$(tail -n +2 trials.csv | sort -t, -k6 -g | tail -1 | cut -d, -f6)
best=$(result .objective)
check "the best candidate is the table's best ($best_csv)" awk -v a="$best_csv" -v b="$best" 'BEGIN{exit !(a+0 == b+0)}'
eq "$(result '.best.k')" "a" "the best candidate has the better choice"

run_weft run p.lua
expect_rc 0 "a rerun"
eq "$(rec '[.nodes[] | select(.executed)] | length')" 0 "runs nothing: every trial and round is cached"

# Killed in the middle, then resumed: the same trials as without the kill.
export WEFT_STORE="$T/killed"
"$WEFT" run p.lua -p nap=0.4 >"$T/out" 2>"$T/err" &
pid=$!
sleep 1.5
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
done_before=$(cat "$T"/killed/runs/*/journal | grep -c '"ev":"finish"' || true)
check "the kill came mid-search ($done_before trials done)" test "$done_before" -ge 1 -a "$done_before" -lt 12
run_weft resume
expect_rc 0 "the killed search resumes"
trials_of "$T/killed" > resumed.csv
export WEFT_STORE="$T/straight"
run_weft run p.lua -p nap=0.4
expect_rc 0 "the same search without a kill"
trials_of "$T/straight" > straight.csv
check "the resumed search's trials table is the uninterrupted one's (but for the measured seconds)" \
  sh -c "cut -d, -f1-10 resumed.csv > a.csv; cut -d, -f1-10 straight.csv > b.csv; cmp -s a.csv b.csv"
run_weft run p.lua -p nap=0.4
expect_rc 0 "a rerun of it"
trials_of "$T/straight" > again.csv
check "replays its trials table exactly, seconds included (they come from the cache)" cmp -s again.csv straight.csv

# Stops: a target, a finished grid; every algorithm runs.
export WEFT_STORE="$T/store"
run_weft run p.lua -p target=-0.02 -p budget=30
expect_rc 0 "a search with a target"
eq "$(result .stopped)" "target" "stops once the target is reached"
check "before its budget" test "$(rec '[.nodes[] | select(.name | startswith("trial_"))] | length')" -lt 30
run_weft run p.lua -p nap=0.2 -p budget=30 -p seed=11 -p time_budget=1.0
expect_rc 0 "a search with a time budget"
eq "$(result .stopped)" "time" "stops once its trials took the time budget"
check "after fewer trials than its budget ($(result '.history | length'))" test "$(result '.history | length')" -lt 30
run_weft run p.lua -p nap=0.2 -p budget=30 -p seed=11 -p time_budget=1.0
eq "$(rec '[.nodes[] | select(.executed)] | length')" 0 "a rerun replays the stop by time from the cache: it runs nothing"
for a in random evolution grid; do
  run_weft run p.lua -p algo=$a -p budget=6
  expect_rc 0 "a search with $a"
done
cat > g.lua <<'LUA'
return weft.search {
  name = "hpo", algorithm = "grid", budget = 100, options = { grid_points = 3 },
  space = { x = weft.intv(1, 2), k = weft.oneof { "a", "b", "c" } },
  objective = function(c) return ops.core.value { value = c.x * 10 + #c.k } end,
}
LUA
run_weft run g.lua
expect_rc 0 "a grid search"
eq "$(result .stopped)" "exhausted" "ends when the grid is done"
eq "$(result '.history | length')" 6 "after its 2 x 3 points"

# Functional-equivalence caching: `unused` never changes the function and
# a closed gate hides the width, so many candidates compute the same
# function; the probe tells, and those trials reuse the result.
cat > f.lua <<'LUA'
local s = weft.search {
  name = "hpo", algorithm = "random", budget = 24, parallel = 4, seed = 3,
  space = { w = weft.intv(0, 3), gate = weft.oneof { 0, 1 }, unused = weft.oneof { "a", "b", "c" } },
  probe = function(c, trial)
    local y = {}
    for i = 1, 4 do y[i] = c.gate * c.w * i * 0.1 end -- the function on a fixed probe batch
    return ops.core.value { name = "probe_" .. trial, value = y }
  end,
  objective = function(c, trial)
    return ops.core.shell { name = "trial_" .. trial, capture_stdout = true,
      cmd = string.format("awk 'BEGIN{printf \"%%.3f\", -(%d*%d - 2)^2}'", c.gate, c.w) }.stdout
  end,
}
return s
LUA
run_weft run f.lua
expect_rc 0 "a search with a probe"
fc=$(result .functional)
full=$(echo "$fc" | jq .full_hits); miss=$(echo "$fc" | jq .misses); part=$(echo "$fc" | jq .partial_hits)
eq "$((full + miss + part))" 24 "every trial is a miss, a partial hit or a full hit"
check "functions seen before are full hits ($full of 24)" test "$full" -ge 10
check "and only 5 distinct functions exist, so at most 5 misses ($miss)" test "$miss" -le 5
eq "$(rec '[.nodes[] | select(.name | startswith("trial_")) | select(.executed)] | length')" "$((miss + part))" \
  "only misses and partial hits run the expensive trial"
trials_of "$WEFT_STORE" > f.csv
check "full hits reuse the objective of their function" sh -c \
  "awk -F, 'NR > 1 { key = \$3 * \$5; if (\$12 == \"full\" && seen[key] != \$6) bad = 1; if (\$12 == \"miss\") seen[key] = \$6 } END { exit bad }' f.csv"
cat f.lua | sed 's/seed = 3,/seed = 3, functional = { max_evals = 2 },/' > f2.lua
run_weft run f2.lua
expect_rc 0 "a search allowing two evaluations per function"
check "has partial hits ($(result .functional.partial_hits))" test "$(result .functional.partial_hits)" -ge 1

# weft.status and weft.elapsed, inside a dynamic node.
cat > st.lua <<'LUA'
local slow = ops.core.shell { name = "slow", cmd = "sleep 0.3; echo hi", capture_stdout = true }
return weft.fn { name = "look", inputs = { s = slow.stdout }, function(inp)
  return { status = weft.status(slow), elapsed = weft.elapsed(slow) }
end }
LUA
run_weft run st.lua
expect_rc 0 "a dynamic node asking how its input ran"
eq "$(jq -r '.nodes[] | select(.name == "look") | .outputs.out.status' "$(latest_record)")" "done" "weft.status says done"
check "weft.elapsed says how long it ran (>= 0.3 s)" awk -v e="$(jq -r '.nodes[] | select(.name == "look") | .outputs.out.elapsed' "$(latest_record)")" 'BEGIN{exit !(e >= 0.3)}'

cat > bad.lua <<'LUA'
local s = weft.search {
  space = { lr = weft.floatv(0, 1, "log") },
  objective = function(c) return ops.core.value { value = 1 } end,
}
return s
LUA
run_weft run bad.lua
expect_rc 2 "a log scale starting at 0"
expect_err "'lr' is on a log scale, so lo must be > 0" "is refused, naming the dimension"
expect_err "bad.lua:" "at the script's line"
# An LLM-driven search against the scripted server: a malformed answer is
# asked again, the model's candidates are tried, a rerun asks nothing, and
# without an endpoint (or with a dead one) TPE proposes and says so.
export WEFT_STORE="$T/llmstore"
mkdir -p "$T/lrepo" && cd "$T/lrepo" || exit 1
sed 's/algorithm = algo/algorithm = "llm", options = { task = "find x, y and k" }/' "$T/p.lua" > p.lua
run_weft run p.lua -p budget=4
expect_rc 0 "an llm search without an endpoint"
trials_of "$WEFT_STORE" > t0.csv
eq "$(tail -n +2 t0.csv | cut -d, -f9 | sort -u)" "tpe (no LLM endpoint)" "falls back to TPE and says so per trial"
# A prior (the model's default recipe): without an endpoint it is the first
# trial, exactly, and only once; with one, the LLM is shown it.
sed 's/algorithm = algo/algorithm = "llm", options = { task = "find x, y and k", prior = { x = 0.25, y = 0.75, k = "a" } }/' \
  "$T/p.lua" > pp.lua
run_weft run pp.lua -p budget=6 -p parallel=2
expect_rc 0 "an llm search with a prior and no endpoint"
trials_of "$WEFT_STORE" > tp.csv
eq "$(sed -n 2p tp.csv | cut -d, -f2-5)" "1,a,0.25,0.75" "tries the prior first, as given"
eq "$(awk -F, '$4 == 0.25 && $5 == 0.75' tp.csv | wc -l | tr -d ' ')" 1 "and only once"
eq "$(awk -F, '$2 == 1 {print $9}' tp.csv | sort -u)" "recipe+tpe (no LLM endpoint)" "the round says the recipe opened it"
eq "$(awk -F, 'NR > 1 && $2 > 1 {print $9}' tp.csv | sort -u)" "tpe (no LLM endpoint)" "and TPE proposed the rest"
cat > script.jsonl <<'JSONL'
{"content": "Let me think about it: x near 0.3 looks promising."}
{"content": "{\"candidates\": [{\"x\": 0.31, \"y\": 0.69, \"k\": \"a\"}, {\"x\": 0.5, \"y\": 2.5, \"k\": \"b\"}]}"}
{"content": "{\"candidates\": [{\"x\": 0.3, \"y\": 0.7, \"k\": \"a\"}, {\"x\": 0.29, \"y\": 0.71, \"k\": \"a\"}]}"}
JSONL
start_llm_stub script.jsonl
printf 'llm: {url: "%s", model: stub, retries: 2}\n' "$url" > weft.yaml
run_weft run pp.lua -p budget=4 -p seed=9 -p parallel=2
expect_rc 0 "an llm search with an endpoint"
trials_of "$WEFT_STORE" > t1.csv
eq "$(tail -n +2 t1.csv | cut -d, -f9 | sort -u)" "llm" "every trial was proposed by the LLM"
eq "$(wc -l < llm.log | tr -d ' ')" 3 "the malformed answer was asked again (3 requests for 2 rounds)"
eq "$(sed -n 3p t1.csv | cut -d, -f5)" "1" "a value outside the space was clipped into it (y = 2.5 -> 1)"
check "the model saw the trials of round 1 in round 2" \
  sh -c "jq -e -s '.[2].body.messages[1].content | fromjson | .trials_so_far | length == 2' llm.log >/dev/null"
check "the model was shown the prior as the default recipe" \
  sh -c "jq -e -s '.[0].body.messages[1].content | fromjson | .default_recipe.x == 0.25' llm.log >/dev/null"
check "and its best candidate is the optimum" awk -v v="$(result .objective)" 'BEGIN{exit !(v + 0 == 0)}'
run_weft run pp.lua -p budget=4 -p seed=9 -p parallel=2
expect_rc 0 "a rerun of the llm search"
eq "$(wc -l < llm.log | tr -d ' ')" 3 "asks the LLM nothing"
kill $stub 2>/dev/null; wait $stub 2>/dev/null
run_weft run p.lua -p budget=4 -p seed=10
expect_rc 0 "an llm search whose endpoint is dead"
trials_of "$WEFT_STORE" > t2.csv
eq "$(tail -n +2 t2.csv | cut -d, -f9 | sort -u)" "tpe (the LLM failed)" "still finishes, with TPE, and says so"
finish
