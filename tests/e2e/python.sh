#!/bin/bash
# Python ops (py.run) and checkpoints: outputs, errors at the script's
# line, the script's modules and the interpreter in the key, devices and
# threads from the node's pools, progress in `weft status`; then a PyTorch
# MLP on sklearn's digits killed with kill -9 and resumed, timed out and
# retried, and resumed on another device count, each ending with the
# weights of an uninterrupted run; checkpoint policies and gc.
. "$(dirname "$0")/lib.sh"
unset CUDA_VISIBLE_DEVICES ASCEND_RT_VISIBLE_DEVICES
# An interpreter with torch and sklearn (Debian's python3-torch lives in
# /usr/bin/python3's dist-packages; scripts/deps.sh installs it).
PY=""
for cand in "${WEFT_PYTHON:-}" python3 /usr/bin/python3; do
  [ -n "$cand" ] && "$cand" -c 'import torch, sklearn' 2>/dev/null && { PY=$cand; break; }
done
if [ -z "$PY" ]; then
  fail "no Python with torch and sklearn: run scripts/deps.sh (python3-torch, python3-sklearn)"
  finish; exit 1
fi
export WEFT_PYTHON=$PY
echo "# interpreter: $PY ($("$PY" -c 'import torch, sys; print(sys.version.split()[0], "torch", torch.__version__)'))"

mkdir -p "$T/repo" && cd "$T/repo"
cat >weft.yaml <<'YAML'
resources:
  gpu: 2
workers:
  grace: 2s
YAML
cat >helper.py <<'PY'
def double(x):
    return 2 * x
PY
cat >hello.py <<'PY'
import os
import weft
from helper import double


def main(n, data=None):
    weft.progress(0.5, "halfway")
    path = os.path.join(weft.outdir(), "n.txt")
    with open(path, "w") as f:
        f.write(str(double(n)))
    text = open(data).read() if data else None
    return {"val": double(n), "file": weft.File(path), "data": text,
            "gpus": os.environ.get("CUDA_VISIBLE_DEVICES"), "devices": weft.devices(),
            "threads": os.environ.get("OMP_NUM_THREADS"), "cpus": weft.cpus()}


def boom(n):
    return 1 / (n - n)


def slow(n):
    import time
    for i in range(n):
        weft.progress(i / n, f"step {i} of {n}")
        time.sleep(0.2)
    return n
PY
echo "some data" > data.txt
cat >p.lua <<'LUA'
local which = weft.param("which", "hello", "")
if which == "hello" then
  return ops.py.run { name = "hello", script = weft.file("hello.py"), n = 21, data = weft.file("data.txt") }
elseif which == "boom" then
  return ops.py.run { name = "boom", script = weft.file("hello.py"), fn = "boom", n = 1 }
elseif which == "unknown" then
  return ops.py.run { name = "unk", script = weft.file("hello.py"), n = 1, colour = "red" }
elseif which == "gpu" then
  return ops.py.run { name = "ongpu", script = weft.file("hello.py"), n = 2, gpu = 2, cpus = 2 }
elseif which == "slow" then
  return ops.py.run { name = "slow", script = weft.file("hello.py"), fn = "slow", n = 25 }
elseif which == "nopy" then
  return ops.py.run { name = "nopy", script = weft.file("hello.py"), n = 1, python = "/nonexistent/python9" }
end
LUA

# ---- outputs, modules, errors ----------------------------------------------
run_weft run p.lua
expect_rc 0 "a Python function runs as an op"
eq "$(rec '.nodes[] | select(.name == "hello") | .outputs.val')" 42 "its return value is an output, computed by the imported helper module"
h=$(rec '.nodes[] | select(.name == "hello") | .outputs.file["$artifact"]')
eq "$(cat "$WEFT_STORE/objects/${h:0:2}/${h:2}")" 42 "a file it wrote under weft.outdir() is an artifact output"
eq "$(rec '.nodes[] | select(.name == "hello") | .outputs.data')" "some data" "an input file arrives as a path"
check "it ran in a worker process" test "$(rec '.nodes[] | select(.name == "hello") | .worker')" -gt 0
eq "$(rec '.nodes[] | select(.name == "hello") | .outputs.gpus')" "" "a node without gpu sees CUDA_VISIBLE_DEVICES empty"
run_weft run p.lua
eq "$(rec '[.nodes[] | select(.executed)] | length')" 0 "a rerun is cached"
echo 'def double(x):
    return 3 * x' > helper.py
run_weft run p.lua
eq "$(rec '.nodes[] | select(.name == "hello") | .outputs.val')" 63 "changing a module the script imports reruns it"
run_weft plan p.lua
expect_rc 0 "plan after the change"
sed -i 's/halfway/half way/' hello.py
run_weft run p.lua
eq "$(rec '[.nodes[] | select(.executed)] | length')" 1 "changing the script reruns it"

run_weft run p.lua -p which=boom
expect_rc 1 "an exception fails the node"
line=$(grep -n 'return 1 / (n - n)' hello.py | cut -d: -f1)
expect_err "FAILED boom: hello.py:$line: ZeroDivisionError: division by zero" "the failure names the script's file:line and the exception"
expect_err "return 1 / (n - n)" "and shows the last frames of the traceback"
check "weft's runner is not among the frames" bash -c "! grep -q _runner.py '$T/err'"
run_weft run p.lua -p which=unknown
expect_rc 1 "an argument the function does not take"
expect_err "main() has no parameter 'colour'" "is named"
run_weft run p.lua -p which=nopy
expect_rc 1 "a missing interpreter"
expect_err "/nonexistent/python9" "names the interpreter"

# ---- devices, threads, progress --------------------------------------------
run_weft run p.lua -p which=gpu
expect_rc 0 "a node asking for 2 of the 2 fake GPUs"
eq "$(rec '.nodes[] | select(.name == "ongpu") | .outputs.gpus')" "0,1" "CUDA_VISIBLE_DEVICES in the script is the node's devices"
eq "$(rec '.nodes[] | select(.name == "ongpu") | .devices | join(",")')" "gpu:0,gpu:1" "as the record says"
eq "$(rec '.nodes[] | select(.name == "ongpu") | .outputs.devices | join(",")')" "0,1" "weft.devices() agrees"
eq "$(rec '.nodes[] | select(.name == "ongpu") | .outputs.threads')" "2" "the thread count follows cpus"

"$WEFT" run p.lua -p which=slow >"$T/slow.out" 2>"$T/slow.err" &
spid=$!
seen=""
for _ in $(seq 1 50); do
  sleep 0.2
  "$WEFT" status >"$T/status" 2>&1
  if grep -q "step [0-9]* of 25" "$T/status"; then seen=1; break; fi
done
wait $spid
check "weft status shows the op's progress (weft.progress)" test -n "$seen"
grep "slow" "$T/status" | sed 's/^/  | /'
check "and its percentage" grep -qE "slow .* [0-9]+% step" "$T/status"

# ---- PyTorch training: checkpoints ------------------------------------------
cp "$WEFT_SRC/tests/e2e/python/train_digits.py" "$WEFT_SRC/tests/e2e/python/mlp.py" .
cat >train.lua <<'LUA'
local sleep = weft.param("sleep", 0.0, "seconds after each epoch")
local gpu = weft.param("gpu", 0, "")
local timeout = weft.param("timeout", 0, "")
local keep = weft.param("keep", "drop", "")
return ops.py.run { name = "train", script = weft.file("train_digits.py"), epochs = 10, seed = 3,
                    epoch_sleep = sleep, gpu = gpu > 0 and gpu or nil, timeout = timeout > 0 and timeout or nil,
                    retries = timeout > 0 and 6 or nil, backoff = 0.1, checkpoints = keep }
LUA
out() { rec ".nodes[] | select(.name == \"train\") | .outputs.$1"; }
# wait_step N: until the newest committed checkpoint of $WEFT_STORE has step >= N
# (at most 15 s); leaves its file name in $n
wait_step() {
  for _ in $(seq 1 150); do
    sleep 0.1
    n=$(find "$WEFT_STORE/ckpt" -name '*.json' 2>/dev/null | sed 's,.*/,,' | sort | tail -1)
    [ -n "$n" ] && [ "$((10#${n%.json}))" -ge "$1" ] && return 0
  done
  return 1
}
log_of() { cat "$(ls -d "$WEFT_STORE"/runs/*/ | sort | tail -1)logs/train.log"; }

export WEFT_STORE="$T/a"
run_weft run train.lua
expect_rc 0 "an uninterrupted training run"
ref=$(out digest)
acc=$(out accuracy)
check "it learns the digits (held-out accuracy $acc)" awk -v a="$acc" 'BEGIN{exit !(a > 0.85)}'
eq "$(out start_epoch)" 0 "from scratch"
eq "$(find "$WEFT_STORE/ckpt" -name '*.json' 2>/dev/null | wc -l | tr -d ' ')" 0 "its checkpoints are dropped once it succeeded (checkpoints = drop)"

# kill -9 of the whole run mid-training, then weft resume
export WEFT_STORE="$T/b"
setsid "$WEFT" run train.lua -p sleep=0.4 >"$T/b.out" 2>"$T/b.err" &
bpid=$!
wait_step 3
"$WEFT" status >"$T/status" 2>&1
kill -9 -- -$bpid 2>/dev/null; wait $bpid 2>/dev/null
sleep 0.5
check "the kill came mid-training (newest checkpoint step $((10#${n%.json})))" test -n "$n"
check "no Python process outlives the killed run" bash -c "! pgrep -f 'weft[.]_runner $T/b' >/dev/null"
check "weft status showed the epoch while it trained" grep -qE "train .*% epoch [0-9]+/10" "$T/status"
steps_before=$((10#${n%.json}))
run_weft resume
expect_rc 0 "weft resume after kill -9"
check "the log says it restarted from the last committed checkpoint" bash -c "log_of() { cat \"\$(ls -d '$WEFT_STORE'/runs/*/ | sort | tail -1)logs/train.log\"; }; log_of | grep -q 'resumed from checkpoint step'"
resumed_at=$(out start_epoch)
check "it resumed at epoch $resumed_at, after the $steps_before epochs done before the kill" test "$resumed_at" -ge "$steps_before"
eq "$(out digest)" "$ref" "its final weights equal the uninterrupted run's, bit for bit"

# Ctrl-C (SIGINT to weft): the op is cancelled, the run stops with 130,
# and weft resume goes on from the newest checkpoint
export WEFT_STORE="$T/ci"
"$WEFT" run train.lua -p sleep=0.4 >"$T/ci.out" 2>"$T/ci.err" &
cpid=$!
wait_step 2
kill -INT $cpid
wait $cpid
eq "$?" 130 "Ctrl-C stops the run (exit 130)"
check "the Python process was cancelled, not left running" bash -c "! pgrep -f 'weft[.]_runner $T/ci' >/dev/null"
run_weft resume
expect_rc 0 "weft resume after Ctrl-C"
check "it resumed from a checkpoint (epoch $(out start_epoch))" test "$(out start_epoch)" -ge 2
eq "$(out digest)" "$ref" "with the uninterrupted run's weights"

# a timeout, then retries that each resume from the newest checkpoint
export WEFT_STORE="$T/c"
run_weft run train.lua -p sleep=0.5 -p timeout=5
expect_rc 0 "a node that times out and is retried"
att=$(rec '.nodes[] | select(.name == "train") | .attempts')
check "it needed more than one attempt ($att)" test "$att" -ge 2
check "its first attempt timed out" grep -q "timed out" "$T/err"
check "a retry resumed from a checkpoint" bash -c "cat '$WEFT_STORE'/runs/*/logs/train.log | grep -q 'resumed from checkpoint step'"
eq "$(out digest)" "$ref" "and it ends with the uninterrupted run's weights"

# saved on 1 GPU, resumed on 2: the manifest's layout tells the op
export WEFT_STORE="$T/d"
setsid "$WEFT" run train.lua -p sleep=0.4 -p gpu=1 >"$T/d.out" 2>"$T/d.err" &
dpid=$!
wait_step 0
sleep 0.5
kill -9 -- -$dpid 2>/dev/null; wait $dpid 2>/dev/null
m=$(find "$WEFT_STORE/ckpt" -name '*.json' 2>/dev/null | sort | tail -1)
eq "$(jq -r '.layout.n_devices' "$m")" 1 "the manifest records the device count it was made on"
eq "$(jq -r '.layout.devices | join(",")' "$m")" "gpu:0" "and the devices"
eq "$(jq -r '.layout.format' "$m")" "mlp-1" "and the op's own layout"
check "and the step, object and size" jq -e '.step >= 0 and (.object | length) == 64 and .size > 0' "$m" >/dev/null
run_weft cache gc --max-size 1
expect_rc 0 "gc with a tiny limit"
run_weft run train.lua -p sleep=0.4 -p gpu=2 -p keep=last
expect_rc 0 "the same node, now on 2 GPUs"
check "the op saw the layout differ and converted" bash -c "cat '$WEFT_STORE'/runs/*/logs/train.log | grep -q 'made on 1 device(s), resuming on 2: converting'"
check "it resumed (gc kept the unfinished node's checkpoint)" test "$(out start_epoch)" -ge 1
eq "$(out digest)" "$ref" "with the uninterrupted run's weights"
eq "$(find "$WEFT_STORE/ckpt" -name '*.json' | wc -l | tr -d ' ')" 1 "checkpoints = last keeps the newest one"
run_weft cache stats
expect_out "checkpoints: 1" "weft cache stats counts it"

# ---- a plugin's own Python body, and a C op checkpointing through the API --
: "${PYPLUGIN_DIR:?set PYPLUGIN_DIR to the directory holding pytest.so}"
export WEFT_PLUGIN_PATH="$PYPLUGIN_DIR" WEFT_STORE="$T/e"
cat >plug.lua <<'LUA'
local nap = weft.param("nap", 0.05, "")
local timeout = weft.param("timeout", 0.0, "")
local fit = ops.pytest.fit { name = "fit", k = 3, xs = ops.core.value { value = { 1, 2, 5 } }.out }
local count = ops.pytest.count { name = "count", n = 12, nap = nap, timeout = timeout > 0 and timeout or nil,
                                 retries = timeout > 0 and 6 or nil, backoff = 0.1 }
return { fit = fit, count = count }
LUA
run_weft run plug.lua
expect_rc 0 "a plugin op whose body is share/pytest/fit.py"
eq "$(rec '.nodes[] | select(.name == "fit") | .outputs.out | map(tostring) | join(",")')" "3,6,15" "runs it with the node's params and inputs"
eq "$(rec '.nodes[] | select(.name == "count") | .outputs.out.sum')" 66 "a C op checkpointing every step through the host API"
rm -rf "$T/pyshare" && cp -r "$PYPLUGIN_DIR" "$T/pyshare"
export WEFT_PLUGIN_PATH="$T/pyshare"
run_weft run plug.lua
eq "$(rec '[.nodes[] | select(.executed)] | length')" 0 "the same plugin elsewhere: cached"
printf 'def scale(k, x):\n    return k * x + 1\n' > "$T/pyshare/share/pytest/scale.py"
run_weft run plug.lua
eq "$(rec '.nodes[] | select(.name == "fit") | .outputs.out | map(tostring) | join(",")')" "4,7,16" "changing a Python file of the plugin reruns its Python ops"
eq "$(rec '.nodes[] | select(.name == "count") | .executed')" "false" "and only those"
export WEFT_STORE="$T/f"
run_weft run plug.lua -p nap=0.3 -p timeout=1.5
expect_rc 0 "the C op, timed out and retried"
check "needed more than one attempt" test "$(rec '.nodes[] | select(.name == "count") | .attempts')" -ge 2
check "and resumed from a committed step ($(rec '.nodes[] | select(.name == "count") | .outputs.out.start'))" \
  test "$(rec '.nodes[] | select(.name == "count") | .outputs.out.start')" -ge 1
eq "$(rec '.nodes[] | select(.name == "count") | .outputs.out.sum')" 66 "to the right sum"
unset WEFT_PLUGIN_PATH

finish
