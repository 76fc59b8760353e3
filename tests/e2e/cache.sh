#!/bin/bash
# Cache hits on rerun; exact partial invalidation after a param change and
# after an input file edit.
. "$(dirname "$0")/lib.sh"
cp -r "$WEFT_SRC/examples/quickstart" "$T/qs"
P="$T/qs/quickstart.lua"

run_weft run "$P"
expect_rc 0 "first run succeeds"
expect_out 'report = "1 1 2"' "first run prints the returned value"
eq "$(rec .counts.executed)" 6 "first run executes all 6 nodes"

run_weft run "$P"
expect_rc 0 "second run succeeds"
eq "$(rec .counts.executed)" 0 "second run executes nothing"
eq "$(rec .counts.cached)" 6 "second run reports every node cached"
eq "$(rec '[.nodes[] | select(.cache != "hit")] | length')" 0 "every node is a cache hit"

run_weft run --force "$P"
eq "$(rec .counts.executed)" 6 "--force executes every node"
eq "$(rec '.nodes[] | select(.name == "load") | .reason')" "forced (--force)" "and says why"

run_weft run "$P" -p min_units=10
expect_rc 0 "run with a changed param succeeds"
eq "$(rec '[.nodes[] | select(.executed) | .name] | sort | join(",")')" \
   "count_east,count_north,count_south,filter,report" "param change reruns exactly the downstream subgraph"
eq "$(rec '.nodes[] | select(.name == "load") | .status')" cached "the CSV load stays cached"
eq "$(rec '.nodes[] | select(.name == "filter") | .reason' | grep -c "param 'cmd' changed")" 1 "the record says why filter reran"
expect_out 'report = "1 0 1"' "the new result reflects the param"

run_weft run "$P" -p min_units=10
eq "$(rec .counts.executed)" 0 "rerun with the same changed param is fully cached"

# Edit the input file: the load reruns; early cutoff keeps unchanged outputs cached.
sed -i 's/^east,widget,20/east,widget,21/' "$T/qs/sales.csv"
run_weft run "$P" -p min_units=10
expect_rc 0 "run after an input edit succeeds"
eq "$(rec '.nodes[] | select(.name == "load") | .status')" done "editing sales.csv reruns the load"
eq "$(rec '.nodes[] | select(.name == "load") | .reason')" "input 'file' changed" "the reason names the changed input"
eq "$(rec '.nodes[] | select(.name == "count_north") | .executed')" true "counts downstream of the changed table rerun"

# Back to the original params: those results are still cached.
sed -i 's/^east,widget,21/east,widget,20/' "$T/qs/sales.csv"
run_weft run "$P"
eq "$(rec .counts.executed)" 0 "returning to an earlier state is fully cached"

# The stat cache means an unchanged input is not re-read: its entry exists.
check "the stat cache remembers sales.csv" grep -q "sales.csv" "$WEFT_STORE/statcache"
# --- gc and live runs (reliability issue, high severity 1): gc never removes
# what a live run may use, and a node whose input object vanished fails.
cat > "$T/slow.lua" <<'LUA'
local phase = weft.param("phase", 1, "makes the slow node new in each phase")
local s = ops.core.shell { name = "slow", cmd = "sleep 1.5; echo " .. phase .. " > $out", outs = { "s" } }
return ops.core.shell { name = "use", after = s.out, f = weft.file("in.txt"),
  cmd = "(echo use; cat $f) | cksum > $out", outs = { "u" } }
LUA
echo "payload one" > "$T/in.txt"
"$WEFT" run -q "$T/slow.lua" >"$T/slow.out" 2>"$T/slow.err" &
pid=$!
sleep 0.5
run_weft cache gc --max-size 0
expect_rc 2 "cache gc while a run is live is refused"
expect_err "in use by a running weft" "and says why"
wait $pid
eq "$?" 0 "the live run finishes"
run_weft cache gc --max-size 0
expect_rc 0 "cache gc after the run"

# While gc holds the store, a run waits for it instead of racing it.
(flock "$WEFT_STORE/lock" sleep 1) &
lockpid=$!
sleep 0.2
run_weft run -q "$T/slow.lua" -p phase=2
expect_rc 0 "a run started during gc waits and then runs"
expect_err "being garbage-collected" "and says what it waits for"
wait $lockpid

# An input object deleted before its node starts: the node fails, nothing
# is cached for it, and the next run computes it properly.
echo "payload two" > "$T/in.txt"
IN=$(sha256sum "$T/in.txt" | cut -c1-64)
"$WEFT" run -q "$T/slow.lua" -p phase=3 >"$T/slow.out" 2>"$T/slow.err" &
pid=$!
sleep 0.5
rm -f "$WEFT_STORE/objects/${IN:0:2}/${IN:2}"
wait $pid
eq "$?" 1 "a node whose input vanished fails the run"
check "its error names the missing object" grep -q "input object $IN is missing from the store" "$T/slow.err"
eq "$(rec '.nodes[] | select(.name == "use") | .status')" failed "the node is failed, not done"
run_weft run -q "$T/slow.lua" -p phase=3
expect_rc 0 "the next run succeeds"
eq "$(rec '.nodes[] | select(.name == "use") | .status')" done "and runs the node (no wrong result was cached)"
# A dry run needs no writable store (as `make -n`): with the store made
# immutable (chattr +i, which binds root too), `weft plan` still answers.
touch "$T/slow.lua"   # a changed mtime: the stat cache would want saving
if chattr -R +i "$WEFT_STORE" 2>/dev/null; then
  run_weft plan "$T/slow.lua" -p phase=3
  chattr -R -i "$WEFT_STORE"
  expect_rc 0 "weft plan works on a store it cannot write"
  expect_out "cached   use" "and still finds the cached nodes"
else
  echo "# skipped: chattr +i is not available on this file system"
fi
# Two runs of one pipeline at once on one store: the second waits for the
# first's node instead of computing it again (reliability issue, 10).
export WEFT_COUNTER="$T/twice.count"
cat > "$T/twice.lua" <<'LUA'
return ops.core.shell { name = "once", cmd = "echo ran >> \"$WEFT_COUNTER\"; sleep 1.5; echo v > $out", outs = { "o" } }
LUA
"$WEFT" run -q "$T/twice.lua" >"$T/twice1.out" 2>"$T/twice1.err" &
p1=$!
sleep 0.4
"$WEFT" run "$T/twice.lua" >"$T/twice2.out" 2>"$T/twice2.err"
rc2=$?
wait $p1
eq "$rc2" 0 "the second run succeeds"
eq "$(wc -l < "$WEFT_COUNTER")" 1 "the command ran once for both runs"
check "the second run says it waited for the other" grep -q "another weft process is computing the same result" "$T/twice2.err"
eq "$(rec '.nodes[] | select(.name == "once") | .status')" cached "and took the node from the cache"
# Two nodes of one run with the same key: one computes, the other waits,
# and the message names the node of this run it waits for.
export WEFT_COUNTER="$T/twins.count"
cat > "$T/twins.lua" <<'LUA'
local cmd = "echo ran >> \"$WEFT_COUNTER\"; sleep 0.5; echo v > $out"
local a = ops.core.shell { name = "a", cmd = cmd, outs = { "o" } }
local b = ops.core.shell { name = "b", cmd = cmd, outs = { "o" } }
return { a.o, b.o }
LUA
run_weft run -j 2 "$T/twins.lua"
expect_rc 0 "a run with two nodes of the same key"
eq "$(wc -l < "$WEFT_COUNTER")" 1 "runs the command once"
expect_err "of this run is computing the same result" "and says the other node is in this run"
# The user's cache of plugin code hashes (~/.cache/weft/plugin-hashes): a
# new store's first run takes a plugin's hash from it instead of hashing the
# .so, and WEFT_NO_USER_CACHE turns it off.
export XDG_CACHE_HOME="$T/xdg"
cat > "$T/one.lua" <<'LUA'
return ops.core.noop { name = "one", seed = 7 }
LUA
WEFT_STORE="$T/s1" run_weft run -q "$T/one.lua"
key1=$(jq -r '.nodes[0].key' "$(ls -d "$T"/s1/runs/*/ | tail -1)record.json")
uc="$XDG_CACHE_HOME/weft/plugin-hashes"
check "the user cache remembers the core plugin's hash" grep -q "core" "$uc"
WEFT_STORE="$T/s2" run_weft run -q "$T/one.lua"
eq "$(jq -r '.nodes[0].key' "$(ls -d "$T"/s2/runs/*/ | tail -1)record.json")" "$key1" "a new store's key is the same"
# Its entries are trusted while the .so's stat is unchanged: a forged hash
# for the core plugin shows in a new store's keys, and only there.
sed -i 's/^[0-9a-f]\{64\} \(.*core[^ ]*\.so\)$/'"$(printf 'f%.0s' $(seq 64))"' \1/' "$uc"
check "the entry was forged" grep -q "^ffffffff" "$uc"
WEFT_STORE="$T/s3" run_weft run -q "$T/one.lua"
check "a new store's first run took the hash from the user cache" \
  test "$(jq -r '.nodes[0].key' "$(ls -d "$T"/s3/runs/*/ | tail -1)record.json")" != "$key1"
WEFT_NO_USER_CACHE=1 WEFT_STORE="$T/s4" run_weft run -q "$T/one.lua"
eq "$(jq -r '.nodes[0].key' "$(ls -d "$T"/s4/runs/*/ | tail -1)record.json")" "$key1" "WEFT_NO_USER_CACHE hashes the plugin itself"
# An entry for a file that is gone is dropped.
echo "$(printf '0%.0s' $(seq 64)) 1 1 1 1 1 $T/gone/x.so" >> "$uc"
WEFT_STORE="$T/s5" run_weft run -q "$T/one.lua"
check "an entry whose file is gone is dropped" sh -c "! grep -q '$T/gone' '$uc'"
unset XDG_CACHE_HOME
finish
