#!/usr/bin/env bash
# autosdt's LLM paths against the scripted stand-in server: the README
# filter, the judge, the adaptation, one self-debug round that rescues a
# failing program, and the instruction all come from the model; the record
# says so; a rerun asks the model nothing; with the endpoint failing, every
# stage falls back to its deterministic rule and says why.
. "$(dirname "$0")/lib.sh"
export WEFT_PYTHON="${WEFT_PYTHON:-/usr/bin/python3}"
if ! "$WEFT_PYTHON" -c 'import pandas' 2>/dev/null; then
  echo "not ok - $WEFT_PYTHON lacks pandas (scripts/deps.sh installs it)"; exit 1
fi
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t GIT_CONFIG_GLOBAL=/dev/null
C="$T/corpus"
mkdir -p "$C/plots/data"
printf '# plots\nForest plot measurements: the data and its analysis.\n' > "$C/plots/README.md"
printf 'plot,height\n1,12.5\n2,14.0\n3,9.5\n' > "$C/plots/data/trees.csv"
cat > "$C/plots/height.py" <<'EOF'
import pandas as pd
df = pd.read_csv("data/trees.csv")
print(df["height"].mean())
EOF
(cd "$C/plots" && git init -q -b main && git add -A && git commit -qm plots)

P="$T/p"
mkdir -p "$P"
cp "$WEFT_SRC/pipelines/autosdt.lua" "$P/"
cd "$P" || exit 1
# The model's answers, in the order a -j1 run asks: search, judge, adapt
# (a program with a wrong column), fix (the right one), instruct.
bad='import os\nimport pandas as pd\nos.makedirs(\"pred_results\", exist_ok=True)\ndf = pd.read_csv(\"benchmark/datasets/plots/data/trees.csv\")\nopen(\"pred_results/pred_height.txt\", \"w\").write(str(df[\"hight\"].mean()))\n'
good='import os\nimport pandas as pd\nos.makedirs(\"pred_results\", exist_ok=True)\ndf = pd.read_csv(\"benchmark/datasets/plots/data/trees.csv\")\nopen(\"pred_results/pred_height.txt\", \"w\").write(str(df[\"height\"].mean()))\n'
python3 - "$bad" "$good" > script.jsonl <<'PY'
import json, sys
bad, good = (s.encode().decode("unicode_escape") for s in sys.argv[1:3])
answers = [
    {"relevant": True, "discipline": "ecology", "reasoning": "forest plot measurements"},
    {"reasoning": "reads the tree table, prints a mean", "functionality": True, "input": True, "output": True,
     "is_scientific_task": True},
    {"explanation": "paths into benchmark/datasets, output into pred_results", "code": bad},
    {"explanation": "the column is height", "code": good},
    {"instruction": "Compute the mean tree height of the forest plots in benchmark/datasets/plots/data/trees.csv "
                    "and save it as text to pred_results/pred_height.txt."},
]
for a in answers:
    print(json.dumps({"content": json.dumps(a)}))
PY
start_llm_stub script.jsonl
printf 'llm: {url: "%s", model: stub-1, api_key_env: STUB_KEY, retries: 0, timeout: 10}\n' "$url" > weft.yaml
export STUB_KEY=k

run_weft run autosdt.lua -p corpus="$C" -p time_limit=30 -j 1
expect_rc 0 "the pipeline runs with the model"
eq "$(wc -l < llm.log)" 5 "five questions: search, judge, adapt, fix, instruct"
"$WEFT" cat dataset.out > ds.jsonl
eq "$(wc -l < ds.jsonl)" 1 "one task"
eq "$(jq -r .judged_by ds.jsonl)" llm "the model judged it"
eq "$(jq -r .adapted_by ds.jsonl)" "llm+debug1" "the model adapted it, and fixed it in round 1"
eq "$(jq -r .self_debug_rounds ds.jsonl)" 1 "one self-debug round"
eq "$(jq -r .instructed_by ds.jsonl)" llm "the model wrote the instruction"
check "the instruction is the model's" grep -q 'mean tree height' ds.jsonl
stats=$("$WEFT" cat dataset.stats)
eq "$(echo "$stats" | jq .failed_first_run)" 1 "the adapted program failed first"
eq "$(echo "$stats" | jq .rescued_by_debug)" 1 "and self-debug rescued it"
check "the fix request carried the error" grep -q 'KeyError' llm.log

run_weft run autosdt.lua -p corpus="$C" -p time_limit=30 -j 1
expect_rc 0 "the rerun runs"
eq "$(wc -l < llm.log)" 5 "the rerun asks the model nothing"

# -- the endpoint fails: every stage falls back to its rule
printf '{"status": 500, "message": "down"}\n' > script.jsonl
export WEFT_STORE="$T/s-down"
run_weft run autosdt.lua -p corpus="$C" -p time_limit=30 -j 1
expect_rc 0 "the pipeline runs with the endpoint down"
"$WEFT" cat dataset.out > ds2.jsonl
eq "$(jq -r .judged_by ds2.jsonl)" ast "the AST judged it"
eq "$(jq -r .adapted_by ds2.jsonl)" template "the template adapted it"
eq "$(jq -r .instructed_by ds2.jsonl)" template "the template wrote the instruction"
check "the search report says why the model was not used" \
  bash -c "'$WEFT' cat search.report | jq -r .llm | grep -q 'the LLM failed'"

finish
