#!/bin/bash
# Resource pools and devices, on fake pools declared in weft.yaml (this
# machine has no GPU): every node records the CUDA_VISIBLE_DEVICES and
# ASCEND_RT_VISIBLE_DEVICES it saw and when it ran, and the checks read the
# run record. Also: detection from the environment and nvidia-smi,
# plan-time refusal of impossible requests, priorities, timeouts (cancel,
# then kill), retries, a crash of a device node, Ctrl-C + resume, and the
# live `weft status`.
. "$(dirname "$0")/lib.sh"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0"
unset CUDA_VISIBLE_DEVICES ASCEND_RT_VISIBLE_DEVICES
# No real nvidia-smi may leak into the checks.
mkdir -p "$T/bin"
export PATH="$T/bin:$PATH"
cat >"$T/bin/nvidia-smi" <<SH
#!/bin/sh
echo called >> "$T/smi.calls"
SH
cat >>"$T/bin/nvidia-smi" <<'SH'
[ -n "$FAKE_SMI" ] || exit 9
printf 'GPU 0: Fake H100 (UUID: GPU-aaaa)\nGPU 1: Fake H100 (UUID: GPU-bbbb)\nGPU 2: Fake H100 (UUID: GPU-cccc)\n'
SH
chmod +x "$T/bin/nvidia-smi"

mkdir -p "$T/repo" && cd "$T/repo"
cat >weft.yaml <<'YAML'
resources:
  gpu: 2
  npu: 1
  license: 1
workers:
  isolate: all
  grace: 1s
YAML

# ---- a 200-node random DAG with mixed requests -----------------------------
PROBE='printf "%s|%s|%s|" "${CUDA_VISIBLE_DEVICES-unset}" "${ASCEND_RT_VISIBLE_DEVICES-unset}" "$(date +%s.%N)"; sleep $NAP; date +%s.%N'
cat >dag.lua <<LUA
local seed = 20261125
local function rnd(n)
  seed = (seed * 1103515245 + 12345) % 2147483648
  return (seed // 65536) % n
end
local probe = [[$PROBE]]
local nodes = {}
for i = 1, 200 do
  local spec = { name = "n" .. i, capture_stdout = true, env = { NAP = tostring(0.01 * (1 + rnd(5))) },
                 cmd = ": n" .. i .. "; " .. probe }
  local kind = rnd(10)
  if kind <= 2 then spec.gpu = 1
  elseif kind == 3 then spec.gpu = 2
  elseif kind <= 5 then spec.npu = 1
  elseif kind == 6 then spec.gpu = 1; spec.npu = 1
  elseif kind == 7 then spec.resources = { license = 1 }
  elseif kind == 8 then spec.cpus = 2 end
  for d = 1, rnd(3) do
    if i > 1 then spec["dep" .. d] = nodes[1 + rnd(i - 1)].stdout end
  end
  nodes[i] = ops.core.shell(spec)
end
return nodes[200].stdout
LUA
run_weft run -j 4 -q dag.lua
expect_rc 0 "a 200-node random DAG with gpu, npu, licence and cpu requests runs"
R=$(latest_record)
JQ_NODES='[.nodes[] | select(.kind == "op") | (.outputs.stdout | rtrimstr("\n") | split("|")) as $p |
  {n: .name, g: (.requests.gpu // 0), u: (.requests.npu // 0), l: (.requests.license // 0),
   c: (.requests.cpus // 1), d: .devices, cuda: $p[0], asc: $p[1], t0: ($p[2] | tonumber), t1: ($p[3] | tonumber)}]'
eq "$(jq '[.nodes[] | select(.status != "done")] | length' "$R")" 0 "every node finished"
eq "$(jq "$JQ_NODES"' | map(select(.g > 0)) | length' "$R" | awk '$1 > 50 {print "many"}')" many \
  "the DAG has many GPU nodes"
eq "$(jq -r "$JQ_NODES"' | map(select(
    .cuda != ([.d[] | select(startswith("gpu:")) | ltrimstr("gpu:")] | join(",")) or
    .asc != ([.d[] | select(startswith("npu:")) | ltrimstr("npu:")] | join(",")) or
    ([.d[] | select(startswith("gpu:"))] | length) != .g or
    ([.d[] | select(startswith("npu:"))] | length) != .u)) | map(.n) | join(" ")' "$R")" "" \
  "each node saw exactly its own devices in CUDA_VISIBLE_DEVICES and ASCEND_RT_VISIBLE_DEVICES (none: empty)"
eq "$(jq -r "$JQ_NODES"' as $a | [$a[] as $x | $a[] as $y | select($x.n < $y.n and $x.t0 < $y.t1 and $y.t0 < $x.t1)
    | select(($x.d - ($x.d - $y.d)) | length > 0) | "\($x.n)+\($y.n)"] | join(" ")' "$R")" "" \
  "no two overlapping nodes ever got the same device"
LIMITS='as $a | [$a[] as $x | [$a[] | select(.t0 <= $x.t0 and $x.t0 < .t1)] |
    {g: (map(.g) | add), u: (map(.u) | add), l: (map(.l) | add), c: (map(.c) | add)}]'
eq "$(jq -r "$JQ_NODES $LIMITS"' | map(select(.g > 2 or .u > 1 or .l > 1 or .c > 4)) | length' "$R")" 0 \
  "gpu <= 2, npu <= 1, license <= 1 and cpus <= 4 at every moment"
eq "$(jq -r "$JQ_NODES $LIMITS"' | map(.g) | max' "$R")" 2 "both GPUs were in use at once (the check has teeth)"
eq "$(jq -r '[.resources[] | select(.name == "gpu") | .devices[] | select(.busy_s > 0)] | length' "$R")" 2 \
  "the record has the busy time of each GPU"

# ---- detection -------------------------------------------------------------
mkdir -p "$T/bare" && cd "$T/bare" && touch weft.yaml
CUDA_VISIBLE_DEVICES=3,5 ASCEND_RT_VISIBLE_DEVICES=1 run_weft resources
expect_out "gpu      2 devices: 3,5  (CUDA_VISIBLE_DEVICES" "gpu pool from CUDA_VISIBLE_DEVICES"
expect_out "npu      1 device: 1  (ASCEND_RT_VISIBLE_DEVICES" "npu pool from ASCEND_RT_VISIBLE_DEVICES"
FAKE_SMI=1 run_weft resources
expect_out "gpu      3 devices: 0,1,2  (nvidia-smi -L" "gpu pool from nvidia-smi -L"
run_weft resources
check "no GPU without a declaration, CUDA_VISIBLE_DEVICES or nvidia-smi" test -z "$(grep '^gpu' "$T/out")"
cat >one.lua <<'LUA'
return ops.core.shell { name = "g", gpu = 1, capture_stdout = true, cmd = 'echo "$CUDA_VISIBLE_DEVICES"' }.stdout
LUA
# nvidia-smi is asked only when a node asks for a GPU: it costs every run
# a fork and an exec, and seconds where the driver is loaded.
cat >nogpu.lua <<'LUA'
return ops.core.shell { name = "c", capture_stdout = true, cmd = 'echo "[$CUDA_VISIBLE_DEVICES]"' }.stdout
LUA
rm -f "$T/smi.calls"
FAKE_SMI=1 run_weft run nogpu.lua
expect_rc 0 "a run without GPU nodes"
check "never runs nvidia-smi" test ! -e "$T/smi.calls"
sed 's/echo "/echo "smi /' one.lua > smi.lua
FAKE_SMI=1 run_weft run smi.lua
expect_out 'g = "smi 0"' "a GPU node gets a device nvidia-smi listed"
eq "$(wc -l < "$T/smi.calls")" 1 "nvidia-smi ran once, for the run with a GPU node"
CUDA_VISIBLE_DEVICES=3,5 run_weft run one.lua
expect_out 'g = "3"' "a node gets the detected id verbatim, in a worker although core is trusted"
CUDA_VISIBLE_DEVICES=-1 run_weft run one.lua
expect_rc 2 "CUDA_VISIBLE_DEVICES=-1 means no GPU"
expect_err "one.lua:1: node 'g' asks for gpu = 1, but the gpu pool is empty (CUDA_VISIBLE_DEVICES)" "the refusal names the node, its line and the source"

# ---- plan-time refusals ----------------------------------------------------
cd "$T/repo"
cat >big.lua <<'LUA'
local a = ops.core.shell { name = "cheap", cmd = "touch $WEFT_MARK" }
local b = ops.core.shell { name = "train", gpu = 3, cmd = "true" }
return { a, b }
LUA
export WEFT_MARK="$T/cheap-ran"
run_weft run big.lua
expect_rc 2 "a request larger than its pool fails before anything runs"
expect_err "big.lua:2: node 'train' asks for gpu = 3, but the gpu pool has 2 devices: 0,1" "with the node, the request and the pool"
check "no node ran" test ! -e "$WEFT_MARK"
printf 'return ops.core.shell { name = "x", resources = { fpga = 1 }, cmd = "true" }\n' >fpga.lua
run_weft run fpga.lua
expect_err "asks for 1 of resource 'fpga', which is not declared; add \`fpga: N\` under \`resources:\`" "an undeclared pool is named"
printf 'return ops.core.shell { name = "m", mem = "9999T", cmd = "true" }\n' >mem.lua
run_weft plan mem.lua
expect_rc 2 "weft plan refuses it too"
expect_err "asks for mem = " "a memory request larger than the machine"
printf 'return ops.core.value { name = "v", value = 1, retries = 2 }\n' >noretry.lua
run_weft run noretry.lua
expect_err "op core.value does not declare itself retryable" "retries on an op that is not retryable"
printf 'return ops.core.shell { name = "d", gpu = 1, isolate = false, cmd = "true" }\n' >inproc.lua
run_weft run inproc.lua
expect_err "asks for devices but sets isolate = false" "devices cannot go to an in-process node"

# ---- priority: the critical path starts first ------------------------------
cat >prio.lua <<'LUA'
local side = {}
for i = 1, 4 do side[i] = ops.core.shell { name = "side" .. i, isolate = false, cmd = "sleep 0.05; : " .. i } end
local c1 = ops.core.shell { name = "c1", isolate = false, cmd = "sleep 0.05; echo 1", capture_stdout = true }
local c2 = ops.core.shell { name = "c2", isolate = false, x = c1.stdout, cmd = "sleep 0.05; echo 2", capture_stdout = true }
local c3 = ops.core.shell { name = "c3", isolate = false, x = c2.stdout, cmd = "sleep 0.05; echo 3", capture_stdout = true }
return { c3.stdout, side[1], side[2], side[3], side[4] }
LUA
run_weft run -j 1 -q prio.lua
ORDER=$(rec '[.nodes[] | {name, started}] | sort_by(.started) | map(.name) | join(" ")')
# c3 ties with the side nodes (one node left on its path), and ties go to
# the node defined first. (The side nodes' commands differ: four equal ones
# would be one key, computed once while the others wait for it.)
eq "$ORDER" "c1 c2 side1 side2 side3 side4 c3" "with one slot, the longest remaining path runs first"

# ---- timeouts: cancelled, or killed after the grace period -----------------
cat >slow.lua <<'LUA'
local polite = ops.core.shell { name = "polite", timeout = 0.5, cmd = "sleep 20" }
local stubborn = ops.core.shell { name = "stubborn", timeout = "500ms", cmd = "trap '' TERM; echo started; sleep 20; sleep 20" }
local other = ops.core.shell { name = "other", cmd = "sleep 0.2; echo fine", capture_stdout = true }
return { polite, stubborn, other.stdout }
LUA
START=$(date +%s)
run_weft run -k slow.lua
END=$(date +%s)
expect_rc 1 "timed-out nodes fail the run"
expect_err "FAILED polite: timed out after" "a node past its timeout fails"
expect_err "it stopped when cancelled" "a cooperative op stops when cancelled"
expect_err "it did not stop when cancelled, so its worker was killed" "an op ignoring the cancel is killed after the grace period"
eq "$(rec '.nodes[] | select(.name == "other") | .status')" done "an independent node finishes"
eq "$(rec '.nodes[] | select(.name == "stubborn") | .timed_out')" true "the record marks the timeout"
check "the run did not wait for the 20 s sleeps" test $((END - START)) -lt 10

# ---- retries ---------------------------------------------------------------
export FLAKY_DIR="$T/flaky"
mkdir -p "$FLAKY_DIR"
cat >retry.lua <<'LUA'
local flaky = ops.core.shell { name = "flaky", retries = 2, backoff = 0.2, capture_stdout = true,
  cmd = 'if [ -e "$FLAKY_DIR/once" ]; then echo recovered; else touch "$FLAKY_DIR/once"; echo failing; exit 3; fi' }
local hopeless = ops.core.shell { name = "hopeless", retries = 1, backoff = 0.1, cmd = "exit 4" }
return { flaky.stdout, hopeless }
LUA
run_weft run -k retry.lua
expect_rc 1 "a node that fails every attempt still fails the run"
eq "$(rec '.nodes[] | select(.name == "flaky") | .status')" done "a retry that succeeds on the second try"
eq "$(rec '.nodes[] | select(.name == "flaky") | .attempts')" 2 "it took two attempts"
eq "$(rec '.nodes[] | select(.name == "hopeless") | .attempts')" 2 "retries = 1 means two attempts"
LOG=$(rec '.nodes[] | select(.name == "flaky") | .log')
check "the node log keeps the failed attempt" grep -q "attempt 1 of 3 failed" "$LOG"
expect_err "flaky: attempt 1 of 3 failed" "the retry is reported"

# ---- a crashing device node releases its devices ---------------------------
cat >crash.lua <<'LUA'
local boom = ops.core.shell { name = "boom", gpu = 2, cmd = "echo crashing on $CUDA_VISIBLE_DEVICES; kill -SEGV $PPID; sleep 5" }
local after = {}
for i = 1, 3 do
  after[i] = ops.core.shell { name = "after" .. i, gpu = 2, capture_stdout = true, cmd = ': after; echo "$CUDA_VISIBLE_DEVICES"' }.stdout
end
return after
LUA
run_weft run -k crash.lua
expect_rc 1 "the crash fails the run"
expect_err "FAILED boom: the worker process" "the crashed node is named"
expect_err "| crashing on 0,1" "with the tail of its log"
eq "$(rec '[.nodes[] | select(.name | startswith("after")) | .outputs.stdout | rtrimstr("\n")] | unique | join(" ")')" "0,1" \
  "the crashed node's GPUs went to the next nodes"

# ---- Ctrl-C with device nodes running, then resume -------------------------
export COUNTER="$T/started"
cat >long.lua <<'LUA'
local out = {}
for i = 1, 6 do
  out[i] = ops.core.shell { name = "t" .. i, gpu = 1, capture_stdout = true,
    cmd = 'echo t' .. i .. ' >> "$COUNTER"; ' .. (i == 1 and "trap '' TERM; " or "") .. 'sleep 2; echo "$CUDA_VISIBLE_DEVICES"' }.stdout
end
return out
LUA
"$WEFT" run -q long.lua >"$T/out" 2>"$T/err" &
PID=$!
for _ in $(seq 200); do [ -s "$COUNTER" ] && break; sleep 0.05; done
sleep 0.3
RUN=$(ls "$WEFT_STORE/runs" | sort | tail -1)
for _ in $(seq 40); do [ -e "$WEFT_STORE/runs/$RUN/live.json" ] && break; sleep 0.05; done
for _ in $(seq 40); do
  "$WEFT" status >"$T/status" 2>&1
  [ "$(grep -c ' core.shell ' "$T/status")" -eq 2 ] && break
  sleep 0.1
done
check "weft status shows the live run" grep -q "^run $RUN  running" "$T/status"
check "with each running node's worker and device" grep -qE "^    t[0-9] +core.shell +pid [0-9]+ +gpu:[01] " "$T/status"
check "the queue, by priority" grep -q "4 waiting for resources, 0 with inputs ready; next: t3, t4, t5, t6" "$T/status"
check "and per-device utilisation" grep -qE "gpu:0 +[0-9.]+% busy" "$T/status"
kill -INT $PID
wait $PID
RC=$?
sanitizer_clean
expect_rc 130 "Ctrl-C interrupts the run"
expect_err "running nodes have 1s to stop" "the drain announces its grace period"
check "live.json is gone after the run" test ! -e "$WEFT_STORE/runs/$RUN/live.json"
sleep 0.3
check "no worker is left behind" test -z "$(pgrep -f "weft worker --store $WEFT_STORE")"
run_weft resume
expect_rc 0 "weft resume finishes the run"
eq "$(rec '[.nodes[] | .status] | unique | join(",")')" "done" "every node done after the resume"
eq "$(rec '[.nodes[] | .outputs.stdout | rtrimstr("\n")] | sort | unique | join(" ")')" "0 1" "resumed nodes got GPUs again"
run_weft status "$RUN"
expect_out "devices over the run:" "weft status RUN shows the utilisation of a finished run"
finish
