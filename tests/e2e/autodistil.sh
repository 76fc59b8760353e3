#!/bin/bash
# AutoDistil end to end, in its CI configuration: the pinned corpus, the
# teacher, three sub-spaces of 256 students, a SuperLM each, every student
# scored with the functional cache (each distinct function scored once),
# the picks within their FLOPs budgets, fine-tuned on both tasks above the
# majority baseline, and the report; the C scorer agrees with torch; a
# rerun is fully cached; a run killed with kill -9 while a SuperLM trains
# resumes from its checkpoint and ends with the same weights, bit for bit.
. "$(dirname "$0")/lib.sh"
unset CUDA_VISIBLE_DEVICES
PY=""
for cand in "${WEFT_PYTHON:-}" "$WEFT_SRC/.venv/bin/python" /usr/bin/python3; do
  [ -n "$cand" ] && [ -x "$cand" ] && "$cand" -c 'import torch, numpy' 2>/dev/null && { PY=$cand; break; }
done
if [ -z "$PY" ]; then
  fail "no Python with torch and numpy: run scripts/deps.sh, then scripts/pydeps.sh"
  finish; exit 1
fi
export WEFT_PYTHON=$PY
P="$WEFT_SRC/pipelines/autodistil.lua"
mkdir -p "$T/w" && cd "$T/w"
export WEFT_STORE="$T/a"
out() { rec ".nodes[] | select(.name == \"$1\") | .outputs$2"; }
artifact() { local h; h=$1; cat "$WEFT_STORE/objects/${h:0:2}/${h:2}"; }

start=$(date +%s)
run_weft run "$P" -j2
expect_rc 0 "the CI configuration runs end to end"
echo "# CI configuration: $(( $(date +%s) - start )) s"
eq "$(out corpus .out.snapshot.sha256)" "$(jq -r .sha256 "$WEFT_SRC/plugins/autodistil/share/corpus.json")" \
  "the corpus is the pinned snapshot"
for s in base small tiny; do
  eq "$(out space_$s .summary.students)" 256 "sub-space $s has 4 x 4 x 4 x 4 students"
done
check "at this teacher's size rounding merges students (base: $(out space_base .summary.distinct) distinct)" \
  test "$(out space_base .summary.distinct)" -lt 256
# Each search scored exactly its sub-space's distinct students: the probe
# found every duplicate, and none that is not.
for s in base small tiny; do
  srch=search_k3_${s}_round_1
  eq "$(out "$srch" .out.history | jq length)" 256 "the $s search tried all 256 students"
  eq "$(out "$srch" .out.functional.evaluations)" "$(out space_$s .summary.distinct)" \
    "and scored each of the $(out space_$s .summary.distinct) distinct ones once (functional cache)"
done
eq "$(out pick_k3 '.out | length')" 3 "a student is picked for each of the three budgets"
check "each pick is within its FLOPs budget" bash -c \
  "[ \"\$(jq -r '.nodes[] | select(.name == \"pick_k3\") | .outputs.out | map(.flops_vs_teacher <= .budget_flops) | all' '$(latest_record)')\" = true ]"
for m in teacher k3_base k3_small k3_tiny; do
  acc=$(out "ft_${m}_section" .out.metrics.test.accuracy)
  base=$(out "ft_${m}_section" .out.metrics.test.majority_baseline)
  check "$m: Section accuracy on test $acc is above the majority baseline $base" \
    awk -v a="$acc" -v b="$base" 'BEGIN { exit !(a > b + 0.05) }'
  f1=$(out "ft_${m}_tags" .out.metrics.heldout.micro_f1)
  base=$(out "ft_${m}_tags" .out.metrics.heldout.majority_baseline)
  check "$m: Debtags micro-F1 on heldout $f1 is above the baseline $base" awk -v a="$f1" -v b="$base" 'BEGIN { exit !(a > b) }'
done
w0=$(out supernet_base '.weights["$artifact"]')
artifact "$(out report '.out["$artifact"]')" > report.md
check "the report has the search, the table and the headline" bash -c \
  "grep -q '^## Sub-spaces' report.md && grep -q '| k3_base |' report.md && grep -q '^Headline' report.md"

# ---- the C scorer against torch ---------------------------------------------
artifact "$(out supernet_base '.weights["$artifact"]')" > super.safetensors
artifact "$(out teacher '.weights["$artifact"]')" > teacher.safetensors
artifact "$(out corpus '.distill["$artifact"]')" > distill.npy
cat > cross.lua <<'EOF'
-- torch_score takes the student as the C scorer resolved it (Python never
-- resolves multipliers), so each pair scores the same slices.
local students = {
  { depth = 0.75, heads = 0.75, hidden = 17 / 24, ratio = 2.5 },
  { depth = 1.0, heads = 1.0, hidden = 20 / 24, ratio = 4.0 },
  { depth = 11 / 12, heads = 10 / 12, hidden = 18 / 24, ratio = 3.0 },
}
local w, t, d = weft.file("super.safetensors"), weft.file("teacher.safetensors"), weft.file("distill.npy")
local out = {}
for i, s in ipairs(students) do
  out[i] = { c = ops.autodistil.score { name = "c" .. i, weights = w, teacher = t, distill = d, student = s }.out,
  }
  out[i].torch = ops.autodistil.torch_score { name = "torch" .. i, weights = w, teacher = t, distill = d,
                                              student = out[i].c }
end
return out
EOF
run_weft run cross.lua
expect_rc 0 "the C and the torch scorer run on three base students"
for i in 1 2 3; do
  c=$(out "c$i" .out.objective)
  p=$(out "torch$i" .out)
  check "student $i: C loss $c equals torch's $p within 1e-4 relative" \
    awk -v a="$c" -v b="$p" 'BEGIN { if (a !~ /^[0-9.e-]+$/ || b !~ /^[0-9.e-]+$/ || b <= 0) exit 1
                                     d = a - b; if (d < 0) d = -d; exit !(d <= 1e-4 * b) }'
done

run_weft run "$P" -j2
expect_rc 0 "a rerun"
eq "$(rec '[.nodes[] | select(.executed)] | length')" 0 "is fully cached"
t0=$(out teacher '.weights["$artifact"]')
run_weft run "$P" teacher -j2 --force=teacher
expect_rc 0 "the teacher trained again (two threads)"
eq "$(out teacher '.weights["$artifact"]')" "$t0" "to the same weights, bit for bit"

# ---- gpu = 1: the three SuperLMs train at once on three GPUs ---------------
# A declared pool of three devices stands in for a three-GPU machine (the
# ops train on the CPU when torch has no CUDA); devices are not in a key,
# so --force makes them train again.
# weft.yaml is read beside the pipeline: a copy of it in a folder of its own.
mkdir -p gpu && cp "$P" gpu/autodistil.lua && printf 'resources:\n  gpu: 3\n' > gpu/weft.yaml
run_weft run gpu/autodistil.lua -j3 -p gpu=1 --force=supernet_base,supernet_small,supernet_tiny
expect_rc 0 "with -p gpu=1 on three GPUs"
eq "$(rec '[.nodes[] | select(.name | startswith("supernet_")) | select(.executed) | .devices[0]] | sort | join(" ")')" \
  "gpu:0 gpu:1 gpu:2" "each SuperLM trained again, on a GPU of its own"
check "and the three trained at the same time" bash -c "jq -e '[.nodes[] | select(.name | startswith(\"supernet_\")) | select(.executed)]
  | length == 3 and (map(.started) | max) < (map(.started + .elapsed) | min)' '$(latest_record)' >/dev/null"
eq "$(out supernet_base '.weights["$artifact"]')" "$w0" "to the same weights as before"

# ---- kill -9 while a SuperLM trains, then weft resume -----------------------
# Other supernet steps make the SuperLMs new computations (the teacher and
# the corpus stay cached); short fine-tunes keep the rest of the run quick.
setsid "$WEFT" run "$P" -j2 -p supernet_steps=200 -p finetune_steps=20 >"$T/k.out" 2>"$T/k.err" &
kpid=$!
m=""
for _ in $(seq 1 1200); do
  sleep 0.05
  m=$(find "$WEFT_STORE/ckpt" -path '*/supernet/*' -name '*.json' 2>/dev/null | head -1)
  [ -n "$m" ] && break
done
kill -9 -- -$kpid 2>/dev/null; wait $kpid 2>/dev/null
sn=$(jq -r .node "$m" 2>/dev/null)
check "the kill came while $sn trained (a checkpoint at step $(jq -r .step "$m" 2>/dev/null))" test -n "$sn"
check "no Python process outlives the killed run" bash -c "! pgrep -f 'weft[.]_runner $WEFT_STORE' >/dev/null"
run_weft resume
expect_rc 0 "weft resume after kill -9"
at=$(out "$sn" .out.resumed_at)
check "$sn resumed from its checkpoint (step $at)" test "$at" -gt 0
ref=$(out "$sn" '.weights["$artifact"]')
run_weft run "$P" -j2 -p supernet_steps=200 -p finetune_steps=20 --force="$sn"
expect_rc 0 "$sn trained again without a kill"
eq "$(out "$sn" .out.resumed_at)" 0 "from step 0"
eq "$(out "$sn" '.weights["$artifact"]')" "$ref" "to the resumed run's weights, bit for bit"
# Its weights are the same, so the scores and fine-tunes downstream hit the
# cache (the report and the search rounds, which are cheap, may run again:
# the report shows where the SuperLM resumed).
again=$(rec '[.nodes[] | select(.executed) | .name | select(test("^(corpus|teacher|supernet_|ft_|pick)|/score_|/probe_"))] | join(" ")')
eq "$again" "$sn" "and no other training, scoring or fine-tuning node ran again"
finish
