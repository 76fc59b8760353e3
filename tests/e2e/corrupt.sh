#!/bin/bash
# A corrupted object in the store is detected, removed and rebuilt; it is
# never handed to a downstream node.
. "$(dirname "$0")/lib.sh"
# flip_byte FILE OFFSET: inverts one byte in place. A fixed letter written
# there leaves the entry intact whenever the byte (one of a timestamp's)
# already is that letter, about 1 run in 256.
flip_byte() {
  local b
  b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
  printf "\\$(printf '%03o' $((b ^ 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
cp -r "$WEFT_SRC/examples/quickstart" "$T/qs"
P="$T/qs/quickstart.lua"
run_weft run "$P"
expect_rc 0 "first run"
H=$(rec '.nodes[] | select(.name == "filter") | .outputs.out["$artifact"]')
OBJ="$WEFT_STORE/objects/${H:0:2}/${H:2}"
check "filter's output object exists" [ -f "$OBJ" ]
GOOD=$(sha256sum "$OBJ" | cut -d' ' -f1)
eq "$GOOD" "$H" "an object's name is the SHA-256 of its bytes"

chmod u+w "$OBJ"; printf 'X' | dd of="$OBJ" bs=1 seek=3 conv=notrunc status=none
check "the object is now corrupt" [ "$(sha256sum "$OBJ" | cut -d' ' -f1)" != "$H" ]
run_weft run "$P"
expect_rc 0 "the run after corruption succeeds"
eq "$(rec '.nodes[] | select(.name == "filter") | .status')" done "the node whose output was corrupt is recomputed"
check "the record says why" bash -c "jq -r '.nodes[] | select(.name == \"filter\") | .reason' '$(latest_record)' | grep -q corrupt"
eq "$(sha256sum "$OBJ" | cut -d' ' -f1)" "$H" "the rebuilt object has the right content again"
eq "$(rec '.nodes[] | select(.name == "count_north") | .status')" cached "downstream stays cached (same content, same key)"
expect_out 'report = "1 1 2"' "the result is unchanged"

# A deleted object is a miss too.
rm -f "$OBJ"
run_weft run "$P"
eq "$(rec '.nodes[] | select(.name == "filter") | .status')" done "a missing object is recomputed"
check "and restored" [ -f "$OBJ" ]

# A damaged action-cache entry reads as a miss, not a crash. Entries live
# in packs (ac/packs/*.pack); the entry's bytes hold its key in hex.
K=$(rec '.nodes[] | select(.name == "report") | .key')
PACK=$(grep -l "$K" "$WEFT_STORE"/ac/packs/*.pack | tail -1)
check "the entry is in a pack" [ -f "$PACK" ]
OFF=$(grep -boa "$K" "$PACK" | head -1 | cut -d: -f1)
flip_byte "$PACK" $((OFF + 70))
run_weft run "$P"
expect_rc 0 "a damaged cache entry does not break the run"
eq "$(rec '.nodes[] | select(.name == "report") | .status')" done "the node with the damaged entry reruns"
run_weft run "$P"
eq "$(rec '.nodes[] | select(.name == "report") | .status')" cached "and its new entry serves the next run"

# A rerun at -j2 makes the keys and lookups of wide layers ahead, on two
# threads (sched_prefetch.c): the same checks hold there, and the record
# is the one a -j1 rerun writes.
D="$WEFT_SRC/bench/dag.lua"
run_weft run -j2 "$D" -p layers=4 -p width=40
expect_rc 0 "the 160-node DAG runs"
run_weft run -j1 "$D" -p layers=4 -p width=40
eq "$(rec '.counts.cached')" 160 "a -j1 rerun takes all 160 from the cache"
jq -S '[.nodes[] | {name, status, key, inputs, outputs}]' "$(latest_record)" >"$T/j1.json"
run_weft run -j2 "$D" -p layers=4 -p width=40
eq "$(rec '.counts.cached')" 160 "so does a -j2 rerun"
jq -S '[.nodes[] | {name, status, key, inputs, outputs}]' "$(latest_record)" >"$T/j2.json"
check "with the same keys, inputs and outputs node for node" cmp -s "$T/j1.json" "$T/j2.json"
H2=$(rec '.nodes[] | select(.name == "n2_17") | .outputs.out["$artifact"]')
H1=$(rec '.nodes[] | select(.name == "n1_5") | .outputs.out["$artifact"]')
O2="$WEFT_STORE/objects/${H2:0:2}/${H2:2}"
chmod u+w "$O2"; printf 'X' | dd of="$O2" bs=1 seek=1 conv=notrunc status=none
rm -f "$WEFT_STORE/objects/${H1:0:2}/${H1:2}"
run_weft run -j2 "$D" -p layers=4 -p width=40
expect_rc 0 "a -j2 rerun after one object was damaged and one removed"
eq "$(rec '.nodes[] | select(.name == "n2_17") | .status')" done "the node whose object was damaged is recomputed"
check "and the record says why" bash -c "jq -r '.nodes[] | select(.name == \"n2_17\") | .reason' '$(latest_record)' | grep -q corrupt"
eq "$(rec '.nodes[] | select(.name == "n1_5") | .status')" done "the node whose object was removed is recomputed"
eq "$(rec '.counts.executed') $(rec '.counts.cached')" "2 158" "and only those two ran"
eq "$(sha256sum "$O2" | cut -d' ' -f1)" "$H2" "the damaged object has its right bytes again"
# A damaged entry among the ones decoded ahead: a miss, dropped, rerun.
K=$(rec '.nodes[] | select(.name == "n2_23") | .key')
PACK=$(grep -l "$K" "$WEFT_STORE"/ac/packs/*.pack | tail -1)
OFF=$(grep -boa "$K" "$PACK" | tail -1 | cut -d: -f1)
flip_byte "$PACK" $((OFF + 70))
run_weft run -j2 "$D" -p layers=4 -p width=40
expect_rc 0 "a -j2 rerun after an entry was damaged"
eq "$(rec '.nodes[] | select(.name == "n2_23") | .status')" done "the node with the damaged entry reruns"
eq "$(rec '.counts.executed')" 1 "and only it"
run_weft run -j2 "$D" -p layers=4 -p width=40
eq "$(rec '.counts.cached')" 160 "its new entry serves the next -j2 rerun"

# From the 64th node on, a -j2 run makes keys and lookups while the script
# adds nodes (lookahead.c): a node referred to by name is bound at
# validation, a changed command reruns its node and what follows it and
# nothing else, and a forced node runs alone.
cat >"$T/la.lua" <<'EOF2'
local cmd = weft.param("cmd", "echo hi", "the first command")
local prev
for i = 1, 100 do prev = ops.core.noop { name = "k" .. i, seed = i, a = prev } end
local late = ops.core.noop { name = "late", seed = 0, a = weft.ref("k100") }
local sh = ops.core.shell { name = "sh", cmd = cmd .. " > $out", outs = { "o" } }
local after = ops.core.shell { name = "after", a = sh.out, cmd = "cat $a > $out", outs = { "o" } }
return { late = late, after = after.out }
EOF2
run_weft run -j2 "$T/la.lua"
expect_rc 0 "the 103-node pipeline runs"
run_weft run -j2 "$T/la.lua"
eq "$(rec '.counts.cached')" 103 "a -j2 rerun takes all 103 from the cache"
run_weft run -j2 "$T/la.lua" -p cmd="echo hello"
eq "$(rec '[.nodes[] | select(.executed) | .name] | join(" ")')" "sh after" "a changed command reruns its node and the one after it, nothing else"
eq "$(rec '.nodes[] | select(.name == "after") | .outputs.out.size')" 6 "whose output is the new one (6 bytes, was 3)"
run_weft run -j2 --force=k50 "$T/la.lua" -p cmd="echo hello"
eq "$(rec '[.nodes[] | select(.executed) | .name] | join(" ")')" "k50" "a forced node runs alone (its output is the same)"
eq "$(rec '.counts.cached')" 102 "and the rest are cached"

# A record of 2,048 nodes or more is formatted on two threads, in chunks
# (record.c): every node is there once, in the graph's order, with its own
# fields, in a cold run and in a rerun.
for pass in cold rerun; do
  run_weft run -j2 "$D" -p layers=21 -p width=100 -p kind=noop
  expect_rc 0 "the 2,100-node noop DAG runs ($pass)"
  jq -r '.nodes[] | "\(.name) \(.params.seed)"' "$(latest_record)" >"$T/names.txt"
  awk 'BEGIN { for (l = 0; l < 21; l++) for (i = 0; i < 100; i++) print "n" l "_" i, l * 100 + i }' >"$T/want.txt"
  check "its record lists all 2,100 nodes in order, each with its own params ($pass)" cmp -s "$T/names.txt" "$T/want.txt"
done
eq "$(rec '.counts.cached')" 2100 "the rerun took them all from the cache"
finish
