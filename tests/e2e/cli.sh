#!/bin/bash
# The CLI surface: --help everywhere, plan with reasons, graph, status,
# log, ops, cache stats and gc.
. "$(dirname "$0")/lib.sh"
for c in run resume plan graph status log ops cache; do
  run_weft $c --help
  expect_rc 0 "weft $c --help"
  expect_out "usage: weft $c" "weft $c --help prints usage"
done
run_weft --help; expect_rc 0 "weft --help"
run_weft --version; expect_out "plugin ABI 1." "weft --version names the ABI"

cp -r "$WEFT_SRC/examples/quickstart" "$T/qs"
P="$T/qs/quickstart.lua"
run_weft plan "$P"
expect_rc 0 "plan on a fresh store"
expect_out "6 nodes: 6 would run, 0 cached" "plan: everything would run at first"
check "plan executed nothing" [ ! -d "$WEFT_STORE/runs" ]
run_weft run -q "$P"
run_weft plan "$P" -p min_units=10
expect_out "6 nodes: 5 would run, 1 cached" "plan after a param change"
expect_out "param 'cmd' changed" "plan gives the reason"
expect_out "upstream node 'filter' would run" "plan names the upstream cause"

run_weft graph "$P"
expect_rc 0 "graph"
expect_out "digraph weft" "graph prints DOT"
eq "$(grep -c -- "->" "$T/out")" 7 "graph has one edge per dependency (load, 3 counts, report)"

run_weft status
expect_out "ok" "status lists the run"
run_weft show
expect_out "filter" "show prints a per-node table"
run_weft log
expect_out "/quickstart.lua" "log lists the runs"
run_weft ops
expect_out "core.shell" "ops lists core.shell"
expect_out "param  cmd" "ops lists parameters"
run_weft ops core.csv
expect_out "delimiter" "ops OP shows one op"

run_weft cache stats
expect_out "objects:" "cache stats"
BEFORE=$(du -sb "$WEFT_STORE/objects" | cut -f1)
# A second pipeline state makes objects the newest run does not use.
run_weft run -q "$P" -p min_units=10
run_weft cache gc --max-size 0
expect_rc 0 "cache gc"
expect_out "protected by the newest runs" "gc reports protected objects"
run_weft run -q "$P" -p min_units=10
eq "$(rec .counts.executed)" 0 "gc kept everything the newest run needs"
run_weft run -q "$P"
check "older results were collected, so the old state recomputes" [ "$(rec .counts.executed)" -gt 0 ]
run_weft cache gc
expect_rc 2 "cache gc without --max-size is a usage error"
finish
