#!/usr/bin/env bash
# bench/automml.sh [--smoke] [parse] [hpo] [e2e]: AutoMMLab's figures
# (docs/plugins/automml.md). With no section named, all three.
#  parse  LAMP-mini (bench/automml/*.jsonl, 64 requests with gold parses,
#         44 for development and 20 held apart): per-field accuracy as
#         LAMP's val1_ru scores it, for the rule parser; and for the LLM
#         when weft.yaml in the current directory configures `llm:`.
#  hpo    per task (digits classification, synthetic segmentation,
#         detection, keypoints), seeds 1-5: best validation metric after 1
#         and after 3 rounds of 2 trials, and the test metric of the best
#         trial, for random search, TPE and the LLM dialogue (TPE proposes
#         when no endpoint is configured; the table says so). Mean +- sd.
#  e2e    every LAMP-mini request through pipelines/automml.lua: the share
#         that ends with an exported model meeting every stated
#         constraint, and where the others stop.
# Needs a built tree ($BUILD, default build/) and scripts/pydeps.sh's
# Python ($WEFT_PYTHON, default .venv/bin/python).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${BUILD:-$src/build}")
weft=$build/weft
evalb=$build/tests/automml-eval
export WEFT_PYTHON=${WEFT_PYTHON:-$src/.venv/bin/python}
[ -x "$weft" ] && [ -x "$evalb" ] || { echo "bench: build first (scripts/build.sh build)" >&2; exit 1; }
"$WEFT_PYTHON" -c 'import torch, onnxruntime' 2>/dev/null || { echo "bench: run scripts/pydeps.sh" >&2; exit 1; }
smoke=0
sections=()
for a in "$@"; do
  case $a in --smoke) smoke=1 ;; parse|hpo|e2e) sections+=("$a") ;; *) echo "bench: unknown argument $a" >&2; exit 2 ;; esac
done
[ ${#sections[@]} -gt 0 ] || sections=(parse hpo e2e)
work=$(mktemp -d "${TMPDIR:-/tmp}/automml-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
P=$src/pipelines/automml.lua
if [ $smoke = 1 ]; then seeds="1"; size=120; iters=120; tasks_n=1; else seeds="1 2 3 4 5"; size=300; iters=300; tasks_n=4; fi
# SEEDS, SIZE, ITERS and TASKS (indices 0-3 into the task list below) override.
seeds=${SEEDS:-$seeds}; size=${SIZE:-$size}; iters=${ITERS:-$iters}
has() { local s; for s in "${sections[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }

if has parse; then
  echo "== request understanding: LAMP-mini, the rule parser"
  "$evalb" parse "$src/bench/automml/lamp_mini_dev.jsonl" "$src/bench/automml/lamp_mini_heldout.jsonl"
  if [ -f weft.yaml ] && grep -q '^llm:' weft.yaml; then
    echo "== the LLM (weft.yaml llm:)"
    for f in lamp_mini_dev lamp_mini_heldout; do
      lua=$work/$f.lua
      { echo "local out = {}"
        jq -r '"out[\"" + .id + "\"] = ops.automml.parse { name = \"" + .id + "\", request = " + (.requirement | tojson) + " }"' \
          "$src/bench/automml/$f.jsonl" | sed 's/request = "\(.*\)" }$/request = [==[\1]==] }/'
        echo "return out"; } > "$lua"
      WEFT_STORE=$work/llmstore "$weft" run -q "$lua" >/dev/null 2>&1 || true
      rec=$(ls -d "$work"/llmstore/runs/*/ | tail -1)record.json
      jq -c '.nodes[] | {id: .name, by: .outputs.parsed_by, parse: .outputs.out}' "$rec" > "$work/$f.pred.jsonl"
      echo "$f: parsed by the LLM: $(grep -c '"by":"llm"' "$work/$f.pred.jsonl") of $(wc -l < "$work/$f.pred.jsonl")"
      "$evalb" score "$src/bench/automml/$f.jsonl" "$work/$f.pred.jsonl"
    done
  else
    echo "(no weft.yaml with llm: here: the LLM's parse is not measured)"
  fi
fi

# run_case STORE REQUEST ALGO SEED -> the run's record path, or "" on failure
run_case() {
  local store=$1 req=$2 algo=$3 seed=$4
  if WEFT_STORE=$store "$weft" run -q "$P" -p request="$req" -p algorithm="$algo" -p seed="$seed" -p rounds=3 \
       -p per_round=2 -p size="$size" -p max_iters="$iters" >"$work/out" 2>"$work/err"; then
    echo "$(ls -d "$store"/runs/*/ | sort | tail -1)record.json"
  fi
}

if has hpo; then
  echo "== hyperparameter search: 3 rounds x 2 trials, seeds $seeds (no metric target: every trial runs)"
  tasks=("classify handwritten digits" "segment circles, squares and triangles" "detect circles and squares"
         "estimate the keypoints of stick figures")
  printf "%-14s %-26s %-16s %-16s %-16s\n" task algorithm "val, 1 round" "val, 3 rounds" "test of best"
  for t in ${TASKS:-$(seq 0 $((tasks_n - 1)))}; do
    req=${tasks[$t]}
    for algo in random tpe llm; do
      : > "$work/rows"
      by=""
      for seed in $seeds; do
        r=$(run_case "$work/hpo$t" "$req" "$algo" "$seed")
        [ -n "$r" ] || { echo "  $algo seed $seed failed: $(tail -1 "$work/err")"; continue; }
        jq -r '[.nodes[] | select(.name == "automml")][0].outputs.out as $o
               | [.nodes[] | select(.name | test("^hpo_round_")) | .outputs.out.history // empty][0] as $h
               | ($h | map(select(.round == 1) | .objective) | max) as $v1
               | ($h | map(.objective) | max) as $v3
               | "\($v1) \($v3) \($o.test) \($h | map(.proposed_by) | unique | join("/"))"' "$r" >> "$work/rows"
      done
      [ -s "$work/rows" ] || continue
      awk -v task="$(echo "$req" | cut -d' ' -f1-2)" -v algo="$algo" '
        { for (i = 1; i <= 3; i++) { s[i] += $i; q[i] += $i * $i } n++; by = $4 }
        END { printf "%-14s %-26s", substr(task, 1, 14), substr(algo " (" by ")", 1, 26)
              for (i = 1; i <= 3; i++) { m = s[i] / n; sd = sqrt(q[i] / n - m * m); if (sd != sd) sd = 0
                printf " %.4f +- %.4f", m, sd }
              printf "  (n=%d)\n", n }' "$work/rows"
    done
  done
fi

if has e2e; then
  echo "== end to end: every LAMP-mini request (1 round of 2 trials)"
  total=0 okc=0 exported=0
  : > "$work/parity"
  : > "$work/stops"
  for f in lamp_mini_dev lamp_mini_heldout; do
    while IFS= read -r req; do
      [ $smoke = 1 ] && [ $total -ge 3 ] && break
      total=$((total + 1))
      if WEFT_STORE=$work/e2e "$weft" run -q "$P" -p request="$req" -p rounds=1 -p per_round=2 -p size="$size" \
           -p max_iters="$iters" >"$work/out" 2>"$work/err"; then
        r=$(ls -d "$work"/e2e/runs/*/ | sort | tail -1)record.json
        met=$(jq -r '[.nodes[] | select(.name == "automml")][0].outputs.out as $o
                     | [.nodes[] | select(.name == "parse")][0].outputs.out.model.metrics as $m
                     | ($o.deploy.ok and (($m | map(select(.value > $o.test)) | length) == 0))' "$r")
        if [ "$met" = "true" ]; then okc=$((okc + 1)); else echo "constraints or metric target missed" >> "$work/stops"; fi
        exported=$((exported + 1))
        jq -r '[.nodes[] | select(.name == "automml")][0].outputs.out.deploy.checks
               | "\(.onnx_parity.ok) \(.torchscript_parity.ok) \(.onnx_parity.max_abs_diff) \(.torchscript_parity.max_abs_diff)"' \
          "$r" >> "$work/parity"
      else
        sed -n "s/^weft: node '\([a-z_0-9]*\)' failed: \(.\{0,70\}\).*/\1: \2/p; s/^FAILED \([a-z_0-9]*\): \(.\{0,70\}\).*/\1: \2/p" \
          "$work/err" | head -1 >> "$work/stops"
      fi
    done < <(jq -r '.requirement' "$src/bench/automml/$f.jsonl")
  done
  echo "requests ending with an exported model meeting every stated constraint: $okc of $total"
  [ -s "$work/parity" ] && awk -v n="$exported" '{ ok += ($1 == "true" && $2 == "true"); m = ($3 > m ? $3 : m); t = ($4 > t ? $4 : t) }
    END { printf "exported models passing both parity checks: %d of %d (largest |diff|: ONNX %.3g, TorchScript %.3g)\n", ok, n, m, t }' "$work/parity"
  echo "where the others stopped:"
  sort "$work/stops" | uniq -c | sort -rn | sed 's/^/  /'
fi
