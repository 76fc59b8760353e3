#!/usr/bin/env bash
# autosdt end to end, on two fixture repositories written here: the stages'
# yields and reasons; a task that loops forever is killed at its time limit
# and one that writes 10 GB is stopped at the output limit, without hurting
# the others; the dataset's rows; a rerun is fully cached; a commit to one
# repository reruns only that repository's nodes; kill -9 and resume runs
# no finished task again.
. "$(dirname "$0")/lib.sh"
export WEFT_PYTHON="${WEFT_PYTHON:-/usr/bin/python3}"
if ! "$WEFT_PYTHON" -c 'import numpy, pandas, matplotlib' 2>/dev/null; then
  echo "not ok - $WEFT_PYTHON lacks numpy/pandas/matplotlib (scripts/deps.sh installs them)"; exit 1
fi
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t GIT_CONFIG_GLOBAL=/dev/null
C="$T/corpus"
RAN="$T/ran.log"
mkdir -p "$C/lab/data" "$C/lab/notebooks" "$C/lab/lib" "$C/lab/tests" "$C/field"

# -- the lab repository
cat > "$C/lab/README.md" <<'EOF'
# lab: field measurements and their analysis
Scripts that analyse the site measurements in data/.
EOF
printf 'site,t,value\n' > "$C/lab/data/sites.csv"
for i in $(seq 0 59); do printf 's%d,%d,%d.%d\n' $((i % 3)) "$i" $((i * 7 % 23)) $((i % 10)); done >> "$C/lab/data/sites.csv"
cat > "$C/lab/analyse.py" <<EOF
"""Site means. Mean value per site of the field measurements, and a plot."""
import os
import pandas as pd
import matplotlib.pyplot as plt
fd = os.open("$RAN", os.O_WRONLY | os.O_APPEND | os.O_CREAT)
os.write(fd, b"analyse\n")
df = pd.read_csv(os.path.join(os.path.dirname(__file__), "data", "sites.csv"))
means = df.groupby("site")["value"].mean()
print(means)
means.plot(kind="bar")
plt.show()
EOF
cat > "$C/lab/lib/model.py" <<'EOF'
import numpy as np


def fit(t, v, degree=2):
    return np.polyfit(t, v, degree)
EOF
cat > "$C/lab/trend.py" <<EOF
"""Trend of the measurements: a quadratic fit, written as a table."""
import os
import time
import pandas as pd
from lib.model import fit
fd = os.open("$RAN", os.O_WRONLY | os.O_APPEND | os.O_CREAT)
os.write(fd, b"trend\n")
time.sleep(1)
df = pd.read_csv("data/sites.csv")
coef = fit(df["t"], df["value"])
pd.DataFrame({"coef": coef}).to_csv("trend.csv")
EOF
python3 - "$C/lab/notebooks/explore.ipynb" "$RAN" <<'PY'
import json, sys
cells = [
    {"cell_type": "markdown", "metadata": {}, "source": ["# Exploring the sites"]},
    {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1,
     "source": ["%matplotlib inline\n", "import os\n", "import pandas as pd\n",
                f"fd = os.open({sys.argv[2]!r}, os.O_WRONLY | os.O_APPEND | os.O_CREAT)\n",
                "os.write(fd, b'explore\\n')\n", "df = pd.read_csv('../data/sites.csv')"]},
    {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 2,
     "source": ["print(df.describe())\n", "df.value.hist()"]},
]
json.dump({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}, open(sys.argv[1], "w"))
PY
cat > "$C/lab/loop.py" <<'EOF'
"""Waits for a result that never comes."""
import pandas as pd
df = pd.read_csv("data/sites.csv")
while True:
    pass
print(df.mean())
EOF
cat > "$C/lab/flood.py" <<'EOF'
"""Expands the measurements into a 10 GB table."""
import pandas as pd
df = pd.read_csv("data/sites.csv")
with open("expanded.csv", "w") as out:
    block = df.to_csv() * 1000
    for _ in range(10 * 1024 * 1024 * 1024 // len(block) + 1):
        out.write(block)
print(len(df))
EOF
cat > "$C/lab/styled.py" <<'EOF'
"""Needs a module this machine does not have."""
import pandas as pd
import weft_no_such_module
df = pd.read_csv("data/sites.csv")
print(df.mean())
EOF
cat > "$C/lab/tool.py" <<'EOF'
"""Aligns the sites with an external tool."""
import subprocess
import pandas as pd
df = pd.read_csv("data/sites.csv")
out = subprocess.run(["weft_no_such_tool", "--align", "data/sites.csv"], capture_output=True, text=True)
print(out.stdout, df.shape)
EOF
cat > "$C/lab/download.py" <<'EOF'
from sklearn.datasets import fetch_openml
X, y = fetch_openml("mnist_784", return_X_y=True)
print(X.shape)
EOF
cat > "$C/lab/synthetic.py" <<'EOF'
import numpy as np
x = np.random.RandomState(0).randn(100)
print(x.mean())
EOF
cat > "$C/lab/tests/test_model.py" <<'EOF'
import pandas as pd
print(pd.read_csv("data/sites.csv").shape)
EOF
(cd "$C/lab" && git init -q -b main && git add -A && git commit -qm lab)

# -- the field repository
cat > "$C/field/README.md" <<'EOF'
# field: a survey dataset
EOF
printf 'plot,species,count\n1,oak,3\n1,ash,5\n2,oak,7\n3,elm,1\n3,oak,2\n' > "$C/field/survey.csv"
cat > "$C/field/count.py" <<EOF
"""Counts per species in the survey."""
import os
import pandas as pd
fd = os.open("$RAN", os.O_WRONLY | os.O_APPEND | os.O_CREAT)
os.write(fd, b"count\n")
s = pd.read_csv("survey.csv").groupby("species")["count"].sum()
print(s.to_string())
EOF
(cd "$C/field" && git init -q -b main && git add -A && git commit -qm field)

P="$T/p"
mkdir -p "$P"
cp "$WEFT_SRC/pipelines/autosdt.lua" "$P/"
: > "$P/weft.yaml"
cd "$P" || exit 1
ARGS=(-p corpus="$C" -p time_limit=8 -p max_output=4000000 -j 2)

# -- the first run
run_weft run autosdt.lua "${ARGS[@]}"
expect_rc 0 "the pipeline runs on two repositories"
stats=$("$WEFT" cat dataset.stats)
eq "$(echo "$stats" | jq .repositories)" 2 "both repositories were searched"
eq "$(echo "$stats" | jq .files)" 12 "12 Python files and notebooks crawled"
eq "$(echo "$stats" | jq .prefiltered)" 11 "the rules drop tests/test_model.py"
eq "$(echo "$stats" | jq .judged)" 9 "the judge drops synthetic.py (no dataset) and lib/model.py (only definitions)"
eq "$(echo "$stats" | jq .located)" 8 "locate drops download.py"
eq "$(echo "$stats" | jq .environment)" 6 "envcheck drops styled.py (a module) and tool.py (a program)"
eq "$(echo "$stats" | jq .verified)" 4 "four tasks verify: analyse, trend, explore, count"
eq "$(echo "$stats" | jq .timeouts)" 1 "the endless loop was killed at its time limit"
eq "$(echo "$stats" | jq .over_size)" 1 "the 10 GB writer was stopped at the output limit"
check "the drop reasons name the rule, the download and the module" \
  bash -c "echo '$stats' | jq -r '.dropped | keys[]' | grep -q 'prefilter: directory' &&
           echo '$stats' | jq -r '.dropped | keys[]' | grep -q 'locate: needs a download' &&
           echo '$stats' | jq -e '.missing_modules.weft_no_such_module' >/dev/null &&
           echo '$stats' | jq -e '.missing_programs.weft_no_such_tool' >/dev/null"
du_kb=$(du -sk "$WEFT_STORE" | cut -f1)
check "the store holds no 10 GB file (${du_kb} KiB)" [ "$du_kb" -lt 200000 ]
"$WEFT" cat dataset.out > "$T/ds.jsonl"
eq "$(wc -l < "$T/ds.jsonl")" 4 "the dataset has the four verified tasks"
check "each row has its repository, commit, file, instruction, dependencies and verified output" \
  jq -e 'select((.repository | length) > 0 and (.commit | length) == 40 and (.file | length) > 0 and
                (.instruction | length) > 40 and (.verified_output | length) > 0 and .dependencies.data != null)
         | .id' "$T/ds.jsonl"
jq -c 'select(.file == "trend.py")' "$T/ds.jsonl" > "$T/trend.json"
check "trend.py's local module and data were located" \
  jq -e '.dependencies.modules == ["lib/model.py"] and .dependencies.data == ["data/sites.csv"]' "$T/trend.json"
check "trend.py's table was redirected into pred_results/" \
  jq -e '[.verified_output[].path] | index("pred_results/trend.csv") != null' "$T/trend.json"
jq -c 'select(.file == "notebooks/explore.ipynb")' "$T/ds.jsonl" > "$T/explore.json"
check "the notebook's figure and printout were kept" \
  jq -e '[.verified_output[].path] | (index("pred_results/pred_explore.png") != null and index("pred_results/pred_explore.txt") != null)' \
  "$T/explore.json"
check "the instruction names the data file and the output" \
  bash -c "jq -r 'select(.file == \"count.py\") | .instruction' '$T/ds.jsonl' | grep -q 'benchmark/datasets/field/survey.csv.*pred_results/pred_count.txt'"
"$WEFT" cat dataset.report > "$T/report.md"
check "the report has the yields and VER" grep -q 'VER (verified / adapted): 0.667 (4 / 6)' "$T/report.md"

# -- a rerun is fully cached
run_weft run autosdt.lua "${ARGS[@]}"
expect_rc 0 "the rerun runs"
check "only search ran again ($(grep -o '[0-9]* executed, [0-9]* cached' "$T/err" | tail -1))" \
  grep -q ' 1 executed, ' "$T/err"

# -- a commit to field reruns field's nodes and nothing of lab's
printf '4,ash,9\n' >> "$C/field/survey.csv"
(cd "$C/field" && git commit -qam "more plots")
run_weft run autosdt.lua "${ARGS[@]}"
expect_rc 0 "the run after a commit runs"
check "field's crawl ran again" grep -qE 'done +crawl_field' "$T/err"
check "none of lab's nodes ran" bash -c "! grep -E 'done +[a-z]+_lab' '$T/err'"
eq "$(grep -c count "$RAN")" 2 "count.py ran once more, on the new commit"

# -- kill -9 mid-way, resume: finished tasks do not run again
: > "$RAN"
export WEFT_STORE="$T/s-kill"
"$WEFT" run -q autosdt.lua "${ARGS[@]}" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 400); do [ "$(wc -l < "$RAN")" -ge 2 ] && break; sleep 0.05; done
sleep 0.3
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
before=$(wc -l < "$RAN")
check "the run was killed mid-way ($before task starts)" [ "$before" -ge 1 -a "$before" -lt 4 ]
run_weft resume -q
expect_rc 0 "the resumed run finishes"
eq "$("$WEFT" cat dataset.stats | jq .verified)" 4 "the resumed run verifies the same four tasks"
starts=$(wc -l < "$RAN")
check "no finished task ran again ($starts starts for 4 tasks, at most 2 were in flight)" [ "$starts" -le 6 ]
check "every task ran" bash -c "for t in analyse trend explore count; do grep -qx \$t '$RAN' || exit 1; done"

finish
