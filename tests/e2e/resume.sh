#!/bin/bash
# kill -9 in the middle of a run, then `weft resume`: finished nodes are
# never executed twice (checked with a side-effect counter and the record).
. "$(dirname "$0")/lib.sh"
export WEFT_COUNTER="$T/counter"

wait_for_lines() { # FILE N TIMEOUT_S
  local i=0
  while [ "$(cat "$1" 2>/dev/null | wc -l)" -lt "$2" ]; do
    sleep 0.05; i=$((i + 1)); [ $i -gt $(($3 * 20)) ] && return 1
  done
  return 0
}

# finished_before_kill: nodes the journal recorded as finished, one per line
finished_before_kill() {
  local j; j=$(ls -d "$WEFT_STORE"/runs/*/ | sort | tail -1)journal
  jq -r 'select(.ev == "finish" and .status != "failed") | .node' "$j" 2>/dev/null | sort -u
}

# assert_no_rerun DESC: every node finished before the kill ran exactly once
assert_no_rerun() {
  local bad=0 n
  for n in $FINISHED; do
    [ "$(grep -cx "$n" "$WEFT_COUNTER")" -eq 1 ] || { bad=1; echo "  | $n ran $(grep -cx "$n" "$WEFT_COUNTER") times"; }
  done
  eq "$bad" 0 "$1"
}

# --- a wide static DAG
cat > "$T/fan.lua" <<'LUA'
local parts = weft.map({ 1, 2, 3, 4, 5, 6, 7, 8 }, function(i)
  return ops.core.shell {
    name = "part_" .. i,
    cmd = "sleep 0.3; echo part_" .. i .. " >> \"$WEFT_COUNTER\"; echo " .. i .. " > $out",
    outs = { "p.txt" },
  }.out
end)
return ops.core.shell { name = "sum", parts = parts, cmd = "cat $parts | awk '{ s += $1 } END { print s }' > $out", outs = { "sum.txt" } }
LUA
"$WEFT" run -j 2 -q "$T/fan.lua" >"$T/out" 2>"$T/err" &
PID=$!
check "some nodes finished before the kill" wait_for_lines "$WEFT_COUNTER" 3 20
kill -9 $PID; wait $PID 2>/dev/null
FINISHED=$(finished_before_kill | grep part_)
check "the journal holds finished nodes at the kill ($(echo $FINISHED | wc -w))" [ -n "$FINISHED" ]
check "the run was killed before finishing" [ "$(echo $FINISHED | wc -w)" -lt 8 ]

run_weft resume
expect_rc 0 "weft resume finishes the killed run"
assert_no_rerun "no node finished before kill -9 was executed again"
eq "$(sort -u "$WEFT_COUNTER" | wc -l)" 8 "every part ran"
eq "$(rec .status)" ok "the resumed run's record says ok"
RESUMED=$(rec '[.nodes[] | select(.status == "resumed")] | length')
check "the record marks earlier-finished nodes as resumed ($RESUMED)" [ "$RESUMED" -ge 2 ]
eq "$(rec '[.nodes[] | select(.status == "resumed" and .executed)] | length')" 0 "resumed nodes are not executed"
SUM=$(rec '.nodes[] | select(.name == "sum") | .outputs.out["$artifact"]')
eq "$(cat "$WEFT_STORE/objects/${SUM:0:2}/${SUM:2}")" 36 "the resumed run computes the right sum"

run_weft resume
expect_rc 2 "resume with nothing unfinished is an error"
expect_err "nothing to resume" "and says so"

# --- a dynamic loop killed mid-loop
: > "$WEFT_COUNTER"
"$WEFT" run -q "$WEFT_SRC/examples/loop/loop.lua" -p delay=0.25 >"$T/out" 2>"$T/err" &
PID=$!
check "loop rounds started before the kill" wait_for_lines "$WEFT_COUNTER" 3 20
kill -9 $PID; wait $PID 2>/dev/null
FINISHED=$(finished_before_kill | grep train_)
check "some rounds finished before the kill ($(echo $FINISHED | wc -w))" [ -n "$FINISHED" ]
run_weft resume
expect_rc 0 "resume after kill -9 mid-loop succeeds"
expect_out '"rounds":7' "the resumed loop reaches the target in 7 rounds"
assert_no_rerun "no round finished before kill -9 trained again"
eq "$(sort -u "$WEFT_COUNTER" | wc -l)" 7 "all 7 rounds trained"
COUNT=$(wc -l < "$WEFT_COUNTER")

run_weft run -q "$WEFT_SRC/examples/loop/loop.lua" -p delay=0.25
eq "$(rec .counts.executed)" 0 "rerunning the finished loop executes nothing"
eq "$(wc -l < "$WEFT_COUNTER")" "$COUNT" "and trains no round again"

# --- Ctrl-C (SIGINT) drains, exits 130, and resume continues
: > "$WEFT_COUNTER"
rm -rf "$WEFT_STORE"
"$WEFT" run -j 2 -q "$T/fan.lua" >"$T/out" 2>"$T/err" &
PID=$!
wait_for_lines "$WEFT_COUNTER" 2 20
kill -INT $PID; wait $PID; RC=$?
sanitizer_clean
expect_rc 130 "SIGINT stops the run with the interrupted status"
eq "$(rec .status)" interrupted "the record says interrupted"
FINISHED=$(finished_before_kill | grep part_)
run_weft resume
expect_rc 0 "resume after SIGINT finishes"
assert_no_rerun "no node finished before SIGINT ran again"
eq "$(sort -u "$WEFT_COUNTER" | wc -l)" 8 "every part ran"
# What `weft status` and `weft show` say of a run without a usable record
# (reliability issue, 14): killed (resumable), record damaged, nothing left.
R=$(ls -d "$WEFT_STORE"/runs/*/ | sort | tail -1); R=${R%/}; ID=${R##*/}
cp "$R/record.json" "$T/record.bak"
printf '{"weft_record": 1, "nodes": [' > "$R/record.json"
run_weft show "$ID"
expect_rc 2 "weft show of a run whose record is damaged fails"
expect_err "is damaged (line" "and says the record is damaged, not missing"
run_weft status "$ID"
expect_out "is damaged" "weft status says so too"
rm -f "$R/record.json"
run_weft status "$ID"
expect_out "weft resume $ID" "a run with a journal and no record is resumable"
rm -f "$R/journal"
run_weft status "$ID"
expect_out "nothing to resume" "without a journal, status no longer offers a resume"
run_weft show "$ID"
expect_err "neither a record nor a journal" "and show says what is left"
finish
