#!/usr/bin/env bash
# bench/pyop.sh [--smoke]: what Python ops and checkpoints cost.
#  1. Start-up: N empty Python ops (py.run of `def empty(i): return i`,
#     N distinct keys, -j1, cold store): wall per node, beside N core.shell
#     `true` nodes in workers and a bare `python -c pass`. Target: an empty
#     Python op costs at most 100 ms more than a shell node in a worker.
#  2. Checkpoints: a loop of 0.3 s steps saving a 64 MiB checkpoint after
#     each, asynchronously and with wait=True: the time each save blocks
#     the loop. Target: an asynchronous save blocks at most 10% as long as
#     a synchronous one (the hash and the copy into the store happen behind
#     the next step).
# Needs a built tree ($WEFT or build/weft) and a Python ($WEFT_PYTHON, else
# python3). Always exits 0 when every step ran: targets are reported.
set -euo pipefail
smoke=0
[ "${1:-}" = "--smoke" ] && smoke=1
src=$(cd "$(dirname "$0")/.." && pwd)
weft=$(realpath "${WEFT:-$src/build/weft}")
py=${WEFT_PYTHON:-python3}
export WEFT_PYTHON=$py
[ -x "$weft" ] || { echo "bench: no weft binary at $weft (scripts/build.sh build)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/weft-pybench.XXXXXX")
trap 'rm -rf "$work"' EXIT
if [ $smoke = 1 ]; then n=4 mb=4 steps=3; else n=40 mb=64 steps=6; fi

verdict() { if awk "BEGIN { exit !($1 $2 $3) }"; then echo PASS; else echo FAIL; fi; }
report() { printf "%-56s %10.3f %-4s target %s %-7s %s\n" "$1" "$2" "$3" "$4" "$5" "$(verdict "$2" "$4" "$5")"; }
now() { date +%s.%N; }

cp "$src/bench/python/ckbench.py" "$work/"
cd "$work"
cat >empty.lua <<LUA
local out = {}
for i = 1, $n do out[i] = ops.py.run { name = "py" .. i, script = weft.file("ckbench.py"), fn = "empty", i = i } end
return out
LUA
cat >shell.lua <<LUA
local out = {}
for i = 1, $n do out[i] = ops.core.shell { name = "sh" .. i, cmd = "true # " .. i, isolate = true } end
return out
LUA
echo "weft Python-op benchmark$([ $smoke = 1 ] && echo ' (smoke sizes)'): $("$py" -c 'import sys; print(sys.executable, sys.version.split()[0])')"

t=$(now); for _ in $(seq 1 10); do "$py" -c pass; done; bare=$(awk -v a="$t" -v b="$(now)" 'BEGIN { print (b - a) / 10 }')
t=$(now); WEFT_STORE=$work/s1 "$weft" run -q -j 1 shell.lua >/dev/null 2>&1; sh_wall=$(awk -v a="$t" -v b="$(now)" -v n=$n 'BEGIN { print (b - a) / n }')
t=$(now); WEFT_STORE=$work/s2 "$weft" run -q -j 1 empty.lua >/dev/null 2>&1; py_wall=$(awk -v a="$t" -v b="$(now)" -v n=$n 'BEGIN { print (b - a) / n }')
printf "bare '%s -c pass': %.1f ms; per node, -j1, cold: core.shell in a worker %.1f ms, empty py.run %.1f ms\n" \
  "$py" "$(awk -v x="$bare" 'BEGIN { print x * 1000 }')" "$(awk -v x="$sh_wall" 'BEGIN { print x * 1000 }')" \
  "$(awk -v x="$py_wall" 'BEGIN { print x * 1000 }')"
report "empty Python op over a shell node in a worker (ms)" "$(awk -v p="$py_wall" -v s="$sh_wall" 'BEGIN { print (p - s) * 1000 }')" ms "<=" 100

cat >ck.lua <<'LUA'
local wait = weft.param("wait", false, "")
local mb = weft.param("mb", 64, "")
local steps = weft.param("steps", 6, "")
return ops.py.run { name = "ck", script = weft.file("ckbench.py"), mb = mb, steps = steps, wait = wait }
LUA
blocked() { # STORE -> mean blocked ms over the saves after the first
  jq -r '.nodes[] | select(.name == "ck") | .outputs.blocked_ms | .[1:] | add / length' \
    "$(ls -d "$1"/runs/*/ | sort | tail -1)record.json"
}
WEFT_STORE=$work/s3 "$weft" run -q ck.lua -p mb=$mb -p steps=$steps >/dev/null 2>&1
WEFT_STORE=$work/s4 "$weft" run -q ck.lua -p mb=$mb -p steps=$steps -p wait=true >/dev/null 2>&1
async=$(blocked "$work/s3")
sync=$(blocked "$work/s4")
printf "%d MiB checkpoint after each 0.3 s step: a save blocks the loop %.2f ms asynchronously, %.2f ms with wait=True\n" \
  "$mb" "$async" "$sync"
report "asynchronous / synchronous blocked time" "$(awk -v a="$async" -v s="$sync" 'BEGIN { print a / s }')" x "<=" 0.10
