#!/bin/bash
# Randomised crash test: a 2,000-node shell DAG is killed with kill -9 at
# random moments, up to 20 times, each time followed by `weft resume`, then
# resumed to the end. The final outputs must equal a clean run's byte for
# byte (same content hashes), and the journal must show that no node that
# had finished was started again.
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

# outputs STORE: "name hash" per node of the newest run there, sorted
outputs() {
  local r; r=$(ls -d "$1"/runs/*/ | sort | tail -1)record.json
  jq -r '.nodes[] | "\(.name) \(.outputs | tojson)"' "$r" | sort
}

WEFT_STORE="$T/clean" "$WEFT" run -q -j 2 "$T/dag.lua" -p layers=$L -p width=$W >/dev/null 2>"$T/clean.err"
check "the clean run succeeds" [ -s "$(ls -d "$T"/clean/runs/*/ | tail -1)record.json" ]

# segments: how many run/resume headers the journal holds so far
segments() {
  local j
  j=$(ls -d "$WEFT_STORE"/runs/*/ 2>/dev/null | sort | tail -1)journal
  [ -f "$j" ] && grep -c '"ev":"\(run\|resume\)"' "$j" || echo 0
}
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
RC=
cmd=(run -q -j 2 "$T/dag.lua" -p layers=$L -p width=$W)
for i in $(seq 1 "$KILLS"); do
  before=$(segments)
  "$WEFT" "${cmd[@]}" >/dev/null 2>>"$T/segments.err" &
  pid=$!
  segs=$((segs + 1))
  started "$pid" "$before"
  sleep "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.3f", 0.05 + rand() * 0.6 }')"
  if kill -9 "$pid" 2>/dev/null; then
    kills=$((kills + 1))
    wait "$pid" 2>/dev/null
  else
    wait "$pid" 2>/dev/null
    RC=$?
    break
  fi
  cmd=(resume -q -j 2)
done
if [ -z "$RC" ]; then
  if [ -f "$(latest_record)" ]; then
    RC=0
  else
    run_weft resume -q -j 2
    segs=$((segs + 1))
  fi
fi
expect_rc 0 "the last segment finishes the run ($segs segments)"
check "at least half the segments were killed mid-run ($kills of $segs)" [ $((2 * kills)) -ge "$segs" ]
eq "$(rec .status)" ok "the final record says ok"
eq "$(rec '.counts.total')" $((L * W + 1)) "every node is in the final record"
eq "$(rec '.segments.count')" "$segs" "the record counts every segment of the run"
ALL=$(rec '.segments.executed')
check "and the nodes executed across them ($ALL; $(rec .counts.executed) in the last), never more than there are nodes" \
  [ "$ALL" -gt "$(rec .counts.executed)" -a "$ALL" -le $((L * W + 1)) ]

outputs "$T/clean" > "$T/clean.out"
outputs "$WEFT_STORE" > "$T/crash.out"
check "every output equals the clean run's, byte for byte (same hashes)" cmp -s "$T/clean.out" "$T/crash.out"
cmp "$T/clean.out" "$T/crash.out" | head -3

# The journal holds every segment: a node started after it had finished
# (and not failed) would be a finished node run twice.
J=$(ls -d "$WEFT_STORE"/runs/*/ | sort | tail -1)journal
check "the journal holds a segment for every kill and the final resume" \
  [ "$(jq -r 'select(.ev == "resume") | .id' "$J" 2>/dev/null | wc -l)" -ge "$kills" ]
jq -r 'select(.ev == "start" or (.ev == "finish" and .status != "failed")) | "\(.ev) \(.node)"' "$J" 2>/dev/null |
  awk '$1 == "finish" { done[$2] = 1 } $1 == "start" && done[$2] { bad++; print "  | started again after finishing: " $2 }
       END { exit bad > 0 }' > "$T/twice"
check "no node that had finished was started again" [ ! -s "$T/twice" ]
head -5 "$T/twice"
finish
