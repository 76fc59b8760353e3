#!/bin/bash
# Randomised crash test: a 2,000-node shell DAG is killed with kill -9 at
# random moments, up to 20 times, each time followed by `weft resume`, then
# resumed to the end. Between segments `weft cache gc --max-size 1` runs at
# random, and during them a second run of the same pipeline on the same
# store starts at random and is killed at random too. The final outputs
# must equal a clean run's byte for byte (same content hashes), the journal
# must show that no node that had finished was started again, and no
# process may outlive its run.
. "$(dirname "$0")/lib.sh"
L=${CRASH_LAYERS:-40}
W=${CRASH_WIDTH:-50}
KILLS=${CRASH_KILLS:-20}

cat > "$T/dag.lua" <<'LUA'
local layers = weft.param("layers", 40, "layers")
local width = weft.param("width", 50, "nodes per layer")
local prev = {}
for l = 0, layers - 1 do
  local cur = {}
  for i = 0, width - 1 do
    local id = l .. "_" .. i
    if l == 0 then
      cur[i] = ops.core.shell { name = "n" .. id, cmd = "sleep 0.005; echo " .. id .. " > $out", outs = { "n" } }.out
    else
      cur[i] = ops.core.shell {
        name = "n" .. id, a = prev[i], b = prev[(7 * i + 1) % width],
        cmd = "sleep 0.005; (echo " .. id .. "; cat $a $b) | cksum > $out", outs = { "n" },
      }.out
    end
  end
  prev = cur
end
local last = {}
for i = 0, width - 1 do last[#last + 1] = prev[i] end
return ops.core.concat { name = "last", items = last, sep = "," }
LUA

# outputs RECORD: "name hash" per node of that run, sorted
outputs() {
  jq -r '.nodes[] | "\(.name) \(.outputs | tojson)"' "$1" | sort
}

WEFT_STORE="$T/clean" "$WEFT" run -q -j 2 "$T/dag.lua" -p layers=$L -p width=$W >/dev/null 2>"$T/clean.err"
check "the clean run succeeds" [ -s "$(ls -d "$T"/clean/runs/*/ | tail -1)record.json" ]

# segments: how many run/resume headers the main run's journal holds so
# far (the main run is the store's first; a second run comes later)
MAIN=
segments() {
  local j
  [ -n "$MAIN" ] && j="$WEFT_STORE/runs/$MAIN/journal" || j=$(ls -d "$WEFT_STORE"/runs/*/ 2>/dev/null | sort | head -1)journal
  [ -f "$j" ] && grep -c '"ev":"\(run\|resume\)"' "$j" || echo 0
}
rnd() { awk -v s="$RANDOM" -v lo="$1" -v span="$2" 'BEGIN { srand(s); printf "%.3f", lo + rand() * span }'; }
# started PID BEFORE: waits (60 s at most) until the segment wrote its header,
# so that the kill lands in the run itself, not in start-up (slow under ASan)
started() {
  local i=0
  while [ "$(segments)" -le "$2" ] && kill -0 "$1" 2>/dev/null; do
    sleep 0.02; i=$((i + 1)); [ $i -gt 3000 ] && return 1
  done
  return 0
}

# Segment 1 is `weft run`; every later one is `weft resume`.
# A segment can end on its own before the kill lands (the run finished), and a
# kill can land after the record was written: in both cases the run is over and
# there is nothing left to resume.
kills=0
segs=0
gcs=0
seconds=0
RC=
cmd=(run -q -j 2 "$T/dag.lua" -p layers=$L -p width=$W)
for i in $(seq 1 "$KILLS"); do
  before=$(segments)
  "$WEFT" "${cmd[@]}" >/dev/null 2>>"$T/segments.err" &
  pid=$!
  segs=$((segs + 1))
  started "$pid" "$before"
  [ -n "$MAIN" ] || MAIN=$(basename "$(ls -d "$WEFT_STORE"/runs/*/ | sort | head -1)")
  # now and then a second run of the same pipeline on the same store
  pid2=
  if [ $i -gt 1 ] && [ $((RANDOM % 3)) = 0 ]; then
    "$WEFT" run -q -j 2 "$T/dag.lua" -p layers=$L -p width=$W >/dev/null 2>>"$T/second.err" &
    pid2=$!
    seconds=$((seconds + 1))
  fi
  sleep "$(rnd 0.05 0.6)"
  if [ -n "$pid2" ]; then
    kill -9 "$pid2" 2>/dev/null
    wait "$pid2" 2>/dev/null
  fi
  if kill -9 "$pid" 2>/dev/null; then
    kills=$((kills + 1))
    wait "$pid" 2>/dev/null
  else
    wait "$pid" 2>/dev/null
    RC=$?
    break
  fi
  # and now and then a gc that keeps as little as it may, between segments
  if [ $((RANDOM % 3)) = 0 ]; then
    "$WEFT" cache gc --max-size 1 >/dev/null 2>>"$T/gc.err" && gcs=$((gcs + 1))
  fi
  cmd=(resume -q -j 2 "$MAIN")
done
MAINREC="$WEFT_STORE/runs/$MAIN/record.json"
if [ -z "$RC" ]; then
  if [ -f "$MAINREC" ]; then
    RC=0
  else
    run_weft resume -q -j 2 "$MAIN"
    segs=$((segs + 1))
  fi
fi
rec() { jq -r "$1" "$MAINREC"; }
expect_rc 0 "the last segment finishes the run ($segs segments)"
check "at least half the segments were killed mid-run ($kills of $segs)" [ $((2 * kills)) -ge "$segs" ]
eq "$(rec .status)" ok "the final record says ok"
eq "$(rec '.counts.total')" $((L * W + 1)) "every node is in the final record"
eq "$(rec '.segments.count')" "$segs" "the record counts every segment of the run"
ALL=$(rec '.segments.executed')
check "and the nodes executed across them ($ALL; $(rec .counts.executed) in the last), never more than there are nodes" \
  [ "$ALL" -gt "$(rec .counts.executed)" -a "$ALL" -le $((L * W + 1)) ]

outputs "$(ls -d "$T"/clean/runs/*/ | tail -1)record.json" > "$T/clean.out"
outputs "$MAINREC" > "$T/crash.out"
check "every output equals the clean run's, byte for byte (same hashes)" cmp -s "$T/clean.out" "$T/crash.out"
cmp "$T/clean.out" "$T/crash.out" | head -3

# The journal holds every segment: a node started after it had finished
# (and not failed) would be a finished node run twice.
J="$WEFT_STORE/runs/$MAIN/journal"
check "the journal holds a segment for every kill and the final resume" \
  [ "$(jq -r 'select(.ev == "resume") | .id' "$J" 2>/dev/null | wc -l)" -ge "$kills" ]
jq -r 'select(.ev == "start" or (.ev == "finish" and .status != "failed")) | "\(.ev) \(.node)"' "$J" 2>/dev/null |
  awk '$1 == "finish" { done[$2] = 1 } $1 == "start" && done[$2] { bad++; print "  | started again after finishing: " $2 }
       END { exit bad > 0 }' > "$T/twice"
check "no node that had finished was started again" [ ! -s "$T/twice" ]
head -5 "$T/twice"
pass "$gcs gc runs between segments and $seconds second runs during them"
# Every process of every run is gone: none has its working directory in
# the store (shell commands run in their node's directory there).
sleep 0.5
left=$(for p in /proc/[0-9]*; do d=$(readlink "$p/cwd" 2>/dev/null) && case $d in "$WEFT_STORE"*) echo "${p#/proc/}";; esac; done)
check "no process outlives its run${left:+ (left: $left)}" [ -z "$left" ]
# A run after all that serves every node from the cache, with the clean
# run's outputs: nothing wrong was cached on the way.
run_weft run -q -j 2 "$T/dag.lua" -p layers=$L -p width=$W
expect_rc 0 "a fresh run on the same store"
outputs "$(latest_record)" > "$T/after.out"
check "has the clean run's outputs" cmp -s "$T/clean.out" "$T/after.out"
finish
