#!/bin/bash
# AutoMMLab end to end: a classification request on sklearn's digits runs
# from the request to exported, parity-checked TorchScript and ONNX files
# and a report; a rerun is cached; the C counter agrees with torch on every
# zoo model; the other three tasks run on small synthetic data; the LLM
# parses when a (stub) endpoint is configured and proposes the trials; a
# request no model can meet, one whose objects the zoo lacks and an empty
# one are refused with clear messages.
. "$(dirname "$0")/lib.sh"
unset CUDA_VISIBLE_DEVICES
PY=""
for cand in "${WEFT_PYTHON:-}" "$WEFT_SRC/.venv/bin/python"; do
  [ -n "$cand" ] && [ -x "$cand" ] && "$cand" -c 'import torch, sklearn, onnxruntime' 2>/dev/null && { PY=$cand; break; }
done
if [ -z "$PY" ]; then
  fail "no Python with torch, sklearn and onnxruntime: run scripts/deps.sh, then scripts/pydeps.sh"
  finish; exit 1
fi
export WEFT_PYTHON=$PY
P="$WEFT_SRC/pipelines/automml.lua"
mkdir -p "$T/w" && cd "$T/w"
node() { rec ".nodes[] | select(.name == \"$1\") | .outputs$2"; }
result() { rec ".nodes[] | select(.name == \"automml\") | .outputs.out$1"; }
artifact() { local h; h=$1; cat "$WEFT_STORE/objects/${h:0:2}/${h:2}"; }

REQ="Build a classifier for handwritten digits with at least 93% accuracy, under 60K parameters, at 200 fps on a CPU with onnxruntime"
run_weft run "$P" -p request="$REQ"
expect_rc 0 "a classification request runs end to end"
eq "$(node parse .parsed_by)" "rules" "without an endpoint the rules parse it"
eq "$(node parse '.out.model.parameters | "\(.value) \(.unit)"')" "60 K" "its parameter limit"
eq "$(node data .out.dataset)" "digits" "the data zoo's digits are selected"
chosen=$(node select .out.name)
params=$(node select .selection.params)
check "the chosen model ($chosen, $params params) is within the limit" test "$params" -le 60000
check "the trials searched the six hyperparameters" bash -c "jq -e '.nodes[] | select(.name == \"trial_1\") | .outputs.out' '$(latest_record)' >/dev/null"
eq "$(result .deploy.checks.onnx_parity.ok)" "true" "the ONNX model's outputs match the trained model's"
eq "$(result .deploy.checks.torchscript_parity.ok)" "true" "and the TorchScript model's"
eq "$(result .deploy.ok)" "true" "every deployment check passes"
test_acc=$(result .test)
check "test accuracy $test_acc reaches the requested 93%" awk -v a="$test_acc" 'BEGIN { exit !(a >= 0.93) }'
artifact "$(result '.report["$artifact"]')" > report.md
check "the report has every stage" bash -c "grep -q '## 1. Request understanding' report.md && grep -q '## 3. Model' report.md && grep -q '## 4. Training' report.md && grep -q '## 5. Deployment' report.md"
check "and says why the model was chosen" grep -q "highest prior" report.md
artifact "$(result '.onnx["$artifact"]')" > model.onnx
check "the ONNX file loads and runs in onnxruntime" "$PY" -c "
import numpy as np, onnxruntime as ort
s = ort.InferenceSession('model.onnx', providers=['CPUExecutionProvider'])
out = s.run(None, {'input': np.zeros((3, 1, 8, 8), np.float32)})[0]
assert out.shape == (3, 10), out.shape"
# The counter in C and torch agree on every model of the task.
rec '.nodes[] | select(.name == "profile") | .outputs.out[] | "\(.name) \(.torch_params) \(.torch_flops)"' | sort > torch.txt
rec '.nodes[] | select(.name == "select") | .outputs.selection.table[] | "\(.name) \(.params) \(.flops)"' | sort > c.txt
check "parameters and FLOPs counted in C equal torch's for all $(wc -l < c.txt) models" diff torch.txt c.txt

check "a request the model meets prints no warning" bash -c '! grep -q "weft: warning" "$1"' _ "$T/err"
run_weft run "$P" -p request="$REQ" --strict
expect_rc 0 "a rerun (with --strict: the model meets every target)"
eq "$(rec '[.nodes[] | select(.executed)] | length')" 0 "is fully cached"

# ---- the other three tasks, on small synthetic data -------------------------
small="-p size=150 -p rounds=1 -p per_round=1 -p max_iters=120"
for req in "segment circles and squares with mIoU of 0.3" "detect triangles and circles" \
           "estimate the pose of stick figures"; do
  # shellcheck disable=SC2086
  run_weft run "$P" -p request="$req" $small
  expect_rc 0 "'$req' runs end to end"
  eq "$(result .deploy.ok)" "true" "  and its exported model passes the checks ($(node data .out.dataset), $(node select .out.name))"
done
eq "$(node data .out.keypoints)" "7" "stick figures have 7 keypoints"

# ---- what the request asked and the model does not give ---------------------
# shellcheck disable=SC2086
run_weft run "$P" -p request="segment circles and squares with mIoU of 0.99" $small --strict
expect_rc 1 "a metric target the model misses fails --strict"
expect_err "weft: warning: report: test mIoU" "the report's warning is printed"
expect_err "is under the requested mIoU 0.99" "naming the target"
artifact "$(result '.report["$artifact"]')" > missed.md
check "and the report lists it under 'Not met'" grep -q "^## Not met" missed.md
# shellcheck disable=SC2086
run_weft run "$P" -p request="segment circles and squares with mIoU of 0.99" $small --strict
expect_rc 1 "a rerun from the cache fails --strict too"
eq "$(rec '[.nodes[] | select(.executed)] | length')" 0 "having run nothing"

# ---- refusals ---------------------------------------------------------------
run_weft run "$P" -p request="classify handwritten digits with fewer than 500 parameters"
expect_rc 1 "a request no model can meet"
expect_err "no model in the zoo meets the request, even with every limit relaxed by 1.2x" "is refused, not silently relaxed"
expect_err "the nearest, mlp-s" "naming the nearest model"
run_weft run "$P" -p request="I need a model that tells cats from dogs on a phone"
expect_rc 1 "objects the data zoo does not have"
expect_err "no dataset in the zoo shows 'cat', 'dog' for classification" "are named"
expect_err "digits: 0, 1" "with what the zoo has"
run_weft run "$P" -p request="   "
expect_rc 1 "an empty request"
expect_err "the request is empty" "is refused with a clear error"

# ---- the LLM: the parse and the trials ---------------------------------------
cat > script.jsonl <<'JSON'
{"content": "{\"data\": {\"scenario\": \"bank\", \"object\": [\"handwritten digit\"], \"modality\": \"image\", \"specific\": []}, \"model\": {\"task\": \"classification\", \"specific_model\": \"none\", \"speed\": {\"value\": 0, \"unit\": \"none\"}, \"flops\": {\"value\": 0, \"unit\": \"none\"}, \"parameters\": {\"value\": 30, \"unit\": \"K\"}, \"metrics\": [{\"name\": \"accuracy\", \"value\": 0.999}]}, \"deploy\": {\"gpu\": \"cpu\", \"inference engine\": \"none\"}}"}
{"content": "{\"candidates\": [{\"iters\": 200, \"batch_size\": 32, \"optimizer\": \"Adam\", \"lr\": 0.01, \"weight_decay\": 0.0001, \"lr_schedule\": \"CosineAnnealingLR\"}]}"}
JSON
start_llm_stub script.jsonl
printf 'llm: {url: "%s", model: stub-1, api_key_env: STUB_KEY, retries: 1, timeout: 5}\n' "$url" > weft.yaml
git init -q . 2>/dev/null
export WEFT_STORE="$T/llm"
cp "$P" ./automml.lua
STUB_KEY=k run_weft run automml.lua -p request="handwritten digits for cheques, under 30K params" -p rounds=1 -p per_round=1
expect_rc 0 "with an LLM endpoint"
eq "$(node parse .parsed_by)" "llm" "the LLM parses the request"
eq "$(node parse '.out.data.scenario')" "bank" "its answer is the parse"
check "and it proposes the trial" bash -c "grep -q 'Adam' '$(ls -d "$WEFT_STORE"/runs/*/ | tail -1)record.json'"
artifact "$(result '.report["$artifact"]')" > report2.md
check "the report says the LLM parsed and proposed" bash -c "grep -q 'Request understanding (llm)' report2.md && grep -q '| llm' report2.md"

finish
