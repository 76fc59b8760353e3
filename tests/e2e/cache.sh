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
finish
