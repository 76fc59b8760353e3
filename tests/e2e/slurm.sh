#!/bin/bash
# The Slurm executor against a real one-node Slurm (scripts/slurm-local.sh:
# munged, slurmctld and slurmd from Debian, in this test's directory): GPU
# ids handed out by Slurm, kill -9 of weft and resume without a second
# submission, Ctrl-C, timeouts, USR2 before the time limit, a refused
# partition, a lost job retried, and a store the jobs cannot use.
. "$(dirname "$0")/lib.sh"
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  echo "Slurm is not installed here (scripts/deps.sh installs slurmctld, slurmd, slurm-client, munge)"
  [ -n "${WEFT_REQUIRE_SLURM:-}" ] && exit 1
  exit 77
fi
C="$T/cluster"
if ! out=$(bash "$WEFT_SRC/scripts/slurm-local.sh" start "$C"); then
  echo "not ok - the one-node cluster did not start"; exit 1
fi
eval "$out"
export SLURM_CONF
trap 'bash "$WEFT_SRC/scripts/slurm-local.sh" stop "$C"; rm -rf "$T"' EXIT
pass "a one-node Slurm cluster is up ($(sinfo -h -o '%P %c %G' | tr '\n' ' '))"
UID_=$(id -u)

P="$T/p"
mkdir -p "$P"
cd "$P"
cat > weft.yaml <<'Y'
executor: slurm
slurm:
  poll: 0.3s
  poll_max: 1s
  exit_grace: 2s
  submit_rate: 100
  signal_before: 5s
Y
export WEFT_STORE="$P/.weft"

# our_jobs STATES: ids of this store's jobs in those squeue states
our_jobs() { squeue -h -u "$UID_" -t "$1" -o '%i %j' | awk '$2 ~ /^weft-/ {print $1}'; }
# node_jobs STATES: the same without the store probe jobs
node_jobs() { squeue -h -u "$UID_" -t "$1" -o '%i %j' | awk '$2 ~ /^weft-/ && $2 !~ /-probe$/ {print $1}'; }

# ---------------------------------------------------------------- GPUs
cat > gpus.lua <<'LUA'
local n = weft.param("n", 200)
local prev, all = {}, {}
for i = 1, n do
  local g = (i % 10 == 0) and 2 or 1
  local args = {
    name = "g" .. i, gpu = g, outs = { "t" },
    cmd = "s=$(date +%s.%N); sleep 0.05; echo \"$CUDA_VISIBLE_DEVICES $s $(date +%s.%N) " .. g .. " " .. i .. "\" > $out",
  }
  if i > 40 then args.x = prev[i - 40] end
  prev[i] = ops.core.shell(args).out
  all[#all + 1] = prev[i]
end
return ops.core.concat { name = "all", items = all, sep = "" }
LUA
N=${SLURM_E2E_NODES:-200}
run_weft run gpus.lua -p n=$N
expect_rc 0 "$N nodes with gpu requests ran as Slurm jobs"
[ "$RC" -eq 0 ] || grep -A6 "FAILED" "$T/err" | head -30
eq "$(rec '[.nodes[] | select(.job.id != null)] | length')" "$((N + 1))" "each op node records its Slurm job id"
eq "$(rec '[.nodes[] | .job.id // empty] | unique | length')" "$((N + 1))" "each node had a job of its own"
eq "$(rec '.executor')" "slurm" "the record says the run used Slurm"
GPU_RUN=$(rec '.id')
python3 - "$(latest_record)" "$WEFT_STORE/objects" > "$T/gpus.txt" <<'PY'
import json, sys
rec = json.load(open(sys.argv[1]))
rows = []
for nd in rec["nodes"]:
    out = (nd.get("outputs") or {}).get("out")
    if nd["name"].startswith("g") and isinstance(out, dict):
        h = out["$artifact"]
        rows.append(open("%s/%s/%s" % (sys.argv[2], h[:2], h[2:])).read().split())
bad_count = [r for r in rows if len(r) != 5 or len(r[0].split(",")) != int(r[3])]
print("rows", len(rows))
print("wrong_count", len(bad_count))
clash = 0
iv = [(set(r[0].split(",")), float(r[1]), float(r[2])) for r in rows if len(r) == 5]
for i in range(len(iv)):
    for j in range(i + 1, len(iv)):
        a, b = iv[i], iv[j]
        if a[1] < b[2] and b[1] < a[2] and a[0] & b[0]:
            clash += 1
print("clash", clash)
print("ids", ",".join(sorted(set(x for r in iv for x in r[0]))))
PY
eq "$(awk '$1=="rows"{print $2}' "$T/gpus.txt")" "$N" "every node wrote what it saw"
eq "$(awk '$1=="wrong_count"{print $2}' "$T/gpus.txt")" "0" "every node saw exactly as many GPU ids as it asked for"
eq "$(awk '$1=="clash"{print $2}' "$T/gpus.txt")" "0" "no two jobs that overlapped in time shared a GPU id"
eq "$(awk '$1=="ids"{print $2}' "$T/gpus.txt")" "0,1,2,3" "the jobs used the cluster's four GPUs"
run_weft run gpus.lua -p n=$N
eq "$(rec '.counts.cached')" "$((N + 1))" "a rerun is fully cached, with no job submitted"
run_weft show "$GPU_RUN"
expect_out "slurm job" "weft show lists each node's Slurm job"
expect_out "in the queue" "weft show gives each job's queue wait"

# ---------------------------------------------------------------- kill -9, resume
cat > chain.lua <<'LUA'
local w = weft.param("w", 8)
local prev = {}
for l = 1, 4 do
  local cur = {}
  for i = 1, w do
    local args = { name = "c" .. l .. "_" .. i, outs = { "t" },
                   cmd = "sleep 1.5; (echo " .. l .. "_" .. i .. "; cat $a 2>/dev/null) | cksum > $out" }
    if l > 1 then args.a = prev[i] end
    cur[i] = ops.core.shell(args).out
  end
  prev = cur
end
return ops.core.concat { name = "last", items = prev, sep = "," }
LUA
WEFT_STORE="$T/local" "$WEFT" run -q chain.lua --executor local >/dev/null 2>"$T/local.err"
check "the same pipeline runs locally" grep -q " ok: " "$T/local.err"
"$WEFT" run chain.lua >"$T/k.out" 2>"$T/k.err" &
wpid=$!
before=$(ls "$WEFT_STORE/slurm" | wc -l)
# the kill lands once some nodes finished and while others are in the queue
for _ in $(seq 600); do
  [ "$(ls "$WEFT_STORE/slurm" | wc -l)" -gt "$before" ] &&
    [ "$(ls "$WEFT_STORE/slurm/$(ls "$WEFT_STORE/slurm" | sort | tail -1)"/*/collected 2>/dev/null | wc -l)" -ge 10 ] &&
    [ "$(our_jobs PD,R | wc -l)" -ge 3 ] && break
  sleep 0.05
done
kill -9 $wpid
wait $wpid 2>/dev/null
alive=$(our_jobs PD,R,CG | wc -l)
check "weft was killed while jobs were queued or running ($alive)" [ "$alive" -gt 0 ]
run_weft resume
expect_rc 0 "weft resume finishes the run on Slurm"
expect_err "taking over Slurm job" "resume takes over the jobs the killed run left"
RUN=$(basename "$(ls -d "$WEFT_STORE"/runs/*/ | sort | tail -1)")
J="$WEFT_STORE/runs/$RUN/journal"
eq "$(grep '"ev":"submit"' "$J" | jq -r .key | sort | uniq -d | wc -l)" "0" "the journal shows no node submitted twice"
eq "$(ls "$WEFT_STORE/slurm/$RUN" | grep -c -- '-1$')" "33" "each of the 33 nodes got one job directory"
eq "$(ls "$WEFT_STORE/slurm/$RUN" | grep -c -- '-2$')" "0" "no node got a second one"
squeue -h -u "$UID_" -t all -o '%i %t %j' > "$T/squeue.txt"
dups=$(awk '{print $3}' "$T/squeue.txt" | grep "^weft-" | sort | uniq -d | tee "$T/dups.txt" | wc -l)
sed 's/^/  dup /' "$T/dups.txt"
eq "$dups" "0" "squeue -t all shows no job name twice"
outputs() { jq -r '.nodes[] | "\(.name) \(.outputs | tojson)"' "$1" | sort; }
outputs "$(ls -d "$T"/local/runs/*/ | tail -1)record.json" > "$T/o.local"
outputs "$(latest_record)" > "$T/o.slurm"
check "the outputs equal a local run's, byte for byte" cmp -s "$T/o.local" "$T/o.slurm"

# ---------------------------------------------------------------- Ctrl-C
cat > long.lua <<'LUA'
local all = {}
for i = 1, 6 do all[i] = ops.core.shell { name = "long" .. i, cmd = "sleep 120; echo " .. i }.stdout end
return ops.core.concat { items = all, sep = "," }
LUA
"$WEFT" run long.lua >"$T/c.out" 2>"$T/c.err" &
wpid=$!
for _ in $(seq 300); do [ "$(node_jobs R | wc -l)" -ge 2 ] && break; sleep 0.1; done
for _ in $(seq 50); do
  run_weft status
  grep -q "RUNNING" "$T/out" && break
  sleep 0.1
done
expect_out "RUNNING" "weft status shows the running nodes' Slurm state"
check "weft status shows their job ids" grep -qE "job [0-9]+ " "$T/out"
kill -INT $wpid
wait $wpid
RC=$?
expect_rc 130 "Ctrl-C interrupts the run"
sleep 1
eq "$(our_jobs PD,R,CG,S | wc -l)" "0" "Ctrl-C leaves no job in the queue"

# ---------------------------------------------------------------- time limits
cat > slow.lua <<'LUA'
return ops.core.shell { name = "slow", cmd = "sleep 60", timeout = 2 }
LUA
run_weft run slow.lua
expect_rc 1 "a node past its timeout fails"
eq "$(rec '.nodes[] | select(.name == "slow") | .timed_out')" "true" "the record marks it timed out"
check "its message says so" grep -q "timed out after" "$T/err"
for _ in $(seq 30); do [ "$(our_jobs PD,R,CG | wc -l)" = 0 ] && break; sleep 0.1; done
eq "$(our_jobs PD,R,CG | wc -l)" "0" "its job was cancelled"

cat > usr2.lua <<'LUA'
return ops.core.shell { name = "trainish", cmd = "sleep 60", slurm = { time = "10m" } }
LUA
"$WEFT" run usr2.lua >"$T/u.out" 2>"$T/u.err" &
wpid=$!
for _ in $(seq 300); do [ "$(node_jobs R | wc -l)" -ge 1 ] && break; sleep 0.1; done
jid=$(node_jobs R | head -1)
check "a 10-minute job is submitted with --signal=B:USR2@5" \
  sh -c "scontrol show job $jid | grep -q 'TimeLimit=00:10:00'"
sleep 1
scancel --signal=USR2 --batch "$jid"
wait $wpid
RC=$?
cp "$T/u.err" "$T/err"
expect_rc 1 "USR2 before the time limit stops the op"
expect_err "reached its time limit" "the message says the job reached its time limit"
expect_err "checkpoints are kept" "and that its checkpoints are kept"

# ---------------------------------------------------------------- a Python op: USR2, checkpoint, rerun
cat > count.py <<'PYEOF'
import time
import weft


def main(steps=40):
    ck = weft.checkpoint_latest("count")
    start = ck.step + 1 if ck else 0
    print(f"starting at step {start}", flush=True)
    for i in range(start, steps):
        time.sleep(0.25)
        weft.checkpoint_save("count", str(i).encode(), step=i)
        weft.progress((i + 1) / steps, f"step {i + 1}/{steps}")
        if weft.cancelled():
            weft.checkpoint_save("count", str(i).encode(), step=i, wait=True)
            raise weft.Cancelled(f"stopped after step {i}")
    return {"start": start, "last": steps - 1}
PYEOF
cat > count.lua <<'LUA'
return ops.py.run { name = "count", script = weft.file("count.py"), steps = 40, slurm = { time = "10m" } }
LUA
"$WEFT" run count.lua >"$T/py.out" 2>"$T/py.err" &
wpid=$!
for _ in $(seq 300); do
  run_weft status
  grep -q "step [4-9]/40" "$T/out" && break
  sleep 0.1
done
expect_out "step " "weft status shows a Python op's progress from its Slurm job"
jid=$(node_jobs R | head -1)
scancel --signal=USR2 --batch "$jid"
wait $wpid
RC=$?
cp "$T/py.err" "$T/err"
expect_rc 1 "USR2 stops the Python op"
expect_err "reached its time limit" "as a time limit"
run_weft run count.lua
expect_rc 0 "the rerun finishes the Python op"
start=$(rec '.nodes[] | select(.name == "count") | .outputs.start')
check "it continued from the checkpoint saved at USR2 (step $start)" [ "$start" -gt 3 ]
eq "$(rec '.nodes[] | select(.name == "count") | .outputs.last')" "39" "and ran to the end"

# ---------------------------------------------------------------- a node that stays local
cat > mixed.lua <<'LUA'
local here = ops.core.shell { name = "here", cmd = "echo here > $out", outs = { "t" }, executor = "local" }
return ops.core.shell { name = "there", x = here.out, cmd = "cat $x > $out", outs = { "t" } }
LUA
run_weft run mixed.lua
expect_rc 0 "a run mixes local and Slurm nodes"
eq "$(rec '.nodes[] | select(.name == "here") | .job.id // "none"')" "none" "executor = \"local\" stays on this machine"
check "the other node ran as a Slurm job" [ "$(rec '.nodes[] | select(.name == "there") | .job.id // "none"')" != none ]

# ---------------------------------------------------------------- refused before running
cat > badpart.lua <<'LUA'
local a = ops.core.shell { name = "fine", cmd = "true" }
local b = ops.core.shell { name = "nowhere", cmd = "true", slurm = { partition = "gpu-nope" } }
return b
LUA
run_weft run badpart.lua
expect_rc 2 "an unknown partition is refused"
expect_err "badpart.lua:2: node 'nowhere'" "with the node's file:line"
expect_err "unknown partition 'gpu-nope'" "naming the partition"
check "and nothing ran" sh -c "! ls '$WEFT_STORE'/runs/*/journal 2>/dev/null | xargs grep -l '\"node\":\"fine\"' | grep -q ."
cat > big.lua <<'LUA'
return ops.core.shell { name = "big", cmd = "true", cpus = 64 }
LUA
run_weft run big.lua
expect_rc 2 "a request no partition can meet is refused"
expect_err "big.lua:1: node 'big'" "with the node's file:line"
expect_err "cpus = 64, but its nodes have 8 CPUs" "saying what is short"
cat > toolong.lua <<'LUA'
return ops.core.shell { name = "toolong", cmd = "true", slurm = { partition = "short", time = "1h" } }
LUA
run_weft run toolong.lua
expect_rc 2 "a time limit above the partition's is refused"
expect_err "its limit is 0-00:05:00" "saying the partition's limit"

# ---------------------------------------------------------------- a lost job is retried
cat > retry.lua <<LUA
return ops.core.shell { name = "flaky", retries = 1, backoff = 0.1, outs = { "t" },
  cmd = "if [ ! -e '$T/died' ]; then touch '$T/died'; sleep 60; fi; echo survived > \$out" }
LUA
"$WEFT" run retry.lua >"$T/r.out" 2>"$T/r.err" &
wpid=$!
for _ in $(seq 300); do [ -e "$T/died" ] && break; sleep 0.1; done
jid=$(node_jobs R | head -1)
pids=$(scontrol listpids "$jid" 2>/dev/null | awk 'NR > 1 && $1 ~ /^[0-9]+$/ {print $1}')
check "the job's processes are found ($jid)" [ -n "$pids" ]
kill -9 $pids 2>/dev/null
wait $wpid
RC=$?
cp "$T/r.err" "$T/err"
expect_rc 0 "a job that died is retried on the cluster"
eq "$(rec '.nodes[] | select(.name == "flaky") | .attempts')" "2" "it took two attempts"
expect_err "Slurm job $jid" "the retry names the lost job"
eq "$(rec '.nodes[] | select(.name == "flaky") | .job.id != "'"$jid"'"')" "true" "the second attempt was a new job"

# ---------------------------------------------------------------- throttling and sbatch failures
cat > flat.lua <<'LUA'
local all = {}
for i = 1, 12 do
  all[i] = ops.core.shell { name = "f" .. i, cmd = "sleep 0.3; echo " .. i .. " > $out", outs = { "t" } }.out
end
return ops.core.concat { name = "flat", items = all, sep = "," }
LUA
cat > weft.yaml <<'Y'
executor: slurm
slurm: {poll: 0.3s, poll_max: 1s, exit_grace: 2s, submit_rate: 100, queue_size: 3}
Y
run_weft run flat.lua
expect_rc 0 "12 nodes run with queue_size: 3"
most=$(jq -r '[.nodes[] | select(.job.id != null) | (.started - .job.queue_wait) as $s | [[$s, 1], [.started + .elapsed, -1]]] | add | sort_by(.[0]) | reduce .[] as $e ({n: 0, m: 0}; .n += $e[1] | .m = ([.m, .n] | max)) | .m' "$(latest_record)")
check "at most 3 of the run's jobs were in the queue at once (saw $most)" [ "$most" -le 3 ] 
mkdir -p "$T/shim"
cat > "$T/shim/sbatch" <<SH
#!/bin/sh
# sbatch as a busy controller answers it: twice a timeout, then the real one
n=\$(cat "$T/shim/count" 2>/dev/null || echo 0)
echo \$((n + 1)) > "$T/shim/count"
if [ "\$n" -lt 2 ]; then
  echo "sbatch: error: Batch job submission failed: Socket timed out on send/recv operation" >&2
  exit 1
fi
exec $(command -v sbatch) "\$@"
SH
chmod +x "$T/shim/sbatch"
cat > once.lua <<'LUA'
return ops.core.shell { name = "once", cmd = "echo once > $out", outs = { "t" } }
LUA
PATH="$T/shim:$PATH" run_weft run once.lua
expect_rc 0 "an sbatch that timed out twice is tried again, and the run succeeds"
expect_err "sbatch failed (sbatch: error: Batch job submission failed: Socket timed out" "saying why it tries again"
eq "$(cat "$T/shim/count")" "4" "the probe's two failures, then its job and the node's"
cat > "$T/shim/sbatch" <<'SH'
#!/bin/sh
echo "sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified" >&2
exit 1
SH
cat > weft.yaml <<'Y'
executor: slurm
slurm: {poll: 0.3s, exit_grace: 1s, check_store: false}
Y
cat > refused.lua <<'LUA'
return ops.core.shell { name = "refused", cmd = "true" }
LUA
PATH="$T/shim:$PATH" run_weft run refused.lua
expect_rc 1 "a node sbatch refuses fails"
expect_err "sbatch refused the job (refused): sbatch: error: Batch job submission failed: Invalid account" "with sbatch's message"

# ---------------------------------------------------------------- a store the jobs cannot use
cat > weft.yaml <<'Y'
executor: slurm
slurm: {poll: 0.3s, exit_grace: 1s, weft: /nonexistent/weft}
Y
cat > probe.lua <<'LUA'
return ops.core.shell { name = "p1", cmd = "echo 1" }
LUA
run_weft run probe.lua
expect_rc 1 "a cluster that cannot run weft fails the run"
expect_err "is not usable from Slurm job" "the probe job says why, before any node's job"
check "no node's job was submitted" sh -c "! grep -q '\"ev\":\"submit\"' '$(ls -d "$WEFT_STORE"/runs/*/ | sort | tail -1)journal'"

cat > weft.yaml <<'Y'
slurm: {queue_size: 0}
Y
run_weft run probe.lua --executor slurm
expect_rc 2 "a bad slurm setting is refused"
expect_err "weft.yaml: slurm.queue_size must be a whole number" "naming weft.yaml and the key"
# Under ASan the jobs' workers are sanitized too; their reports land in
# the jobs' output, where no exit status would show them.
reports=$(grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$WEFT_STORE"/slurm/*/*/slurm.out \
  "$WEFT_STORE"/runs/*/logs/*.log 2>/dev/null | head -5)
check "no sanitizer report from any job ($reports)" [ -z "$reports" ]
finish
