#!/bin/bash
# Out-of-process execution: a node that crashes its worker (SIGSEGV) fails
# alone, with the signal and the tail of its log; independent nodes finish;
# the record says which worker ran each node; Ctrl-C cancels nodes running in
# workers and `weft resume` finishes the run.
. "$(dirname "$0")/lib.sh"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0" # let SIGSEGV kill the worker
cd "$T"
cat >crash.lua <<'LUA'
local boom = ops.core.shell { name = "boom", isolate = true, cmd = "echo about to crash; kill -SEGV $PPID; sleep 5" }
local fine = ops.core.shell { name = "fine", isolate = true, cmd = "echo ok", capture_stdout = true }
local local_ = ops.core.shell { name = "inproc", cmd = "echo here", capture_stdout = true }
local after = ops.core.shell { name = "after", x = boom.stdout, cmd = "echo never" }
return { fine = fine.stdout, here = local_.stdout }
LUA
run_weft run -k crash.lua
expect_rc 1 "a crashed worker fails the run"
expect_err "FAILED boom: the worker process" "the crashed node is named"
expect_err "killed by signal 11 (Segmentation fault)" "with the signal"
expect_err "| about to crash" "and the tail of its log"
eq "$(rec '.nodes[] | select(.name == "fine") | .status')" done "an independent node in another worker finishes"
eq "$(rec '.nodes[] | select(.name == "inproc") | .status')" done "an in-process node finishes"
eq "$(rec '.nodes[] | select(.name == "after") | .status')" skipped "the crashed node's dependant is skipped"
check "the record names the worker of an isolated node" test "$(rec '.nodes[] | select(.name == "fine") | .worker')" -gt 1
eq "$(rec '.nodes[] | select(.name == "inproc") | .worker')" null "an in-process node has no worker"
check "a worker reports the op's peak RSS" test "$(rec '.nodes[] | select(.name == "fine") | .peak_rss_kb')" -gt 0

run_weft run -k crash.lua
eq "$(rec '.nodes[] | select(.name == "fine") | .status')" cached "finished results of other nodes survived the crash"

# A worker's op and an in-process op running at once get separate work
# directories (they share the run's tmp dir; names come from node ids).
cat >dirs.lua <<'LUA'
local a = ops.core.shell { name = "iso", isolate = true,
  cmd = "touch mine_iso; sleep 0.5; test -f mine_iso && test ! -f mine_in" }
local b = ops.core.shell { name = "inp", cmd = "touch mine_in; sleep 0.5; test -f mine_in && test ! -f mine_iso" }
return { a, b }
LUA
run_weft run -j 2 -k dirs.lua
expect_rc 0 "concurrent worker and in-process ops do not share a work directory"

# Ctrl-C while isolated nodes run: they are cancelled, the run is resumable.
export WEFT_COUNTER="$T/counter"
cat >slow.lua <<'LUA'
local out = {}
for i = 1, 4 do
  out[i] = ops.core.shell { name = "s" .. i, isolate = true,
    cmd = "echo s" .. i .. " >> $WEFT_COUNTER; sleep 1; echo done" .. i, capture_stdout = true }.stdout
end
return out
LUA
"$WEFT" run -j 2 -q slow.lua >"$T/out" 2>"$T/err" &
PID=$!
for _ in $(seq 100); do [ -s "$WEFT_COUNTER" ] && break; sleep 0.05; done
kill -INT $PID; wait $PID; RC=$?
sanitizer_clean
expect_rc 130 "SIGINT stops a run whose nodes run in workers"
sleep 0.3
check "no worker is left behind" test -z "$(pgrep -f "weft worker --store $WEFT_STORE")"
run_weft resume
expect_rc 0 "resume finishes the run"
expect_out '"done1","done2","done3","done4"' "with every result"
finish
