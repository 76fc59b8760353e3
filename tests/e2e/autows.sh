#!/bin/bash
# The autows plugin end to end: pipelines/autows.lua on generated data
# (LFs, label matrix, one branch per label model, report against the
# supervised baseline), bit-identical reruns, .npy input, and the errors
# bad input gets.
. "$(dirname "$0")/lib.sh"
cd "$T"
P="$WEFT_SRC/pipelines/autows.lua"
jqt() { jq -e "$@" >/dev/null; }

run_weft run "$P" -p out="$T/o" -p 'label_models=[majority, dawid_skene]'
expect_rc 0 "pipelines/autows.lua runs on generated data"
for f in lfs.json labels.npy baseline.json majority/probs.csv majority/model.json majority/report.json \
  dawid_skene/report.json; do
  check "it writes $f" test -s "o/$f"
done
eq "$(jq -r '.format' o/lfs.json)" "autows-lfs/1" "the LFs are readable JSON"
check "each LF reports its held-out precision, coverage and F-score (rows judged out of fold)" \
  jqt '.lfs | all(.[]; .held_out.precision >= 0 and .held_out.precision <= 1 and (.held_out.coverage | type == "number"))' o/lfs.json
check "each LF names its family, class and features" \
  jqt '.lfs | length > 0 and all(.[]; (.family | type == "string") and (.class | type == "string") and (.features | length >= 1))' o/lfs.json
eq "$(head -1 o/majority/probs.csv)" "row,split,votes,p_c0,p_c1,p_c2,p_c3" "probabilistic labels have one column per class"
check "the report compares AutoWS with the supervised baseline" \
  jqt '(.autows.accuracy | type == "number") and (.supervised_baseline.accuracy | type == "number") and (.autows_helped | type == "boolean")' o/majority/report.json
check "and gives LF statistics" jqt '.lfs[0] | has("coverage") and has("overlap") and has("conflict") and has("accuracy")' o/majority/report.json
check "summary.md compares each label model's end model with the supervised baseline" \
  bash -c 'grep -q "^| majority" o/summary.md && grep -q "^| dawid_skene" o/summary.md && grep -Eq "^\*\*Weak supervision (helped|did not help)\.\*\*" o/summary.md'
best=$(jq -r '[.lfs[].accuracy] | max' o/majority/report.json)
first=$(awk -F'|' '/^\| [0-9]+ \| / { gsub(/ /, "", $(NF - 1)); print $(NF - 1); exit }' o/summary.md)
eq "$first" "$(printf '%.3f' "$best")" "and lists the LFs best first"
expect_out '"results":{"dawid_skene":{' "the run returns one summary per label model"
check "the end model was chosen by CV on the labels, with each kind's CV accuracy" \
  jqt '.end_model.asked == "auto" and (.end_model.kind | IN("logistic", "smoothed", "graph", "selftrained", "lf_graph", "gold_logistic", "gold_spreading", "gold_selftrained", "units_graph", "gold_units")) and (.end_model.cv_accuracy | keys == ["gold_logistic", "gold_selftrained", "gold_spreading", "gold_units", "graph", "lf_graph", "logistic", "selftrained", "smoothed", "units_graph"])' o/majority/model.json
check "auto answers the candidates' mean weighed by the CV, every member in model.json, heaviest first, with the mean's CV accuracy" \
  jqt '.format == "autows-mean/2" and (.members | length) >= 2 and (.members | length) == (.end_model.mean_with | length) + 1 and ([.members[].weight] | (add - 1 | fabs < 1e-9) and . == (sort | reverse) and all(. > 0)) and .members[0].weight == .end_model.weight and (.end_model.mean_with | all(.kind | IN("logistic", "smoothed", "graph", "selftrained", "lf_graph", "gold_logistic", "gold_spreading", "gold_selftrained", "units_graph", "gold_units"))) and (.end_model.cv_accuracy_answer | . >= 0 and . <= 1)' o/majority/model.json
check "every member of the mean names its kind, the heaviest the chosen one, the rest as mean_with lists them" \
  jqt '(.members | all(.kind | type == "string")) and .members[0].kind == .end_model.kind and ([.members[1:][].kind] == [.end_model.mean_with[].kind])' o/majority/model.json
check "the weights come from each candidate's CV Brier score at its own temperature: each member's is on the grid (0.2..5), the heaviest kind's tempered score is the least, and none is above the kind's raw one" \
  jqt '.end_model as $e | ([.members[].cv_temperature, $e.mean_with[].cv_temperature] | all(. >= 0.2 - 1e-9 and . <= 5 + 1e-9)) and .members[0].cv_temperature == $e.cv_temperature and ($e.cv_brier_tempered | keys == ($e.cv_brier | keys)) and $e.cv_brier_tempered[$e.kind] == ([$e.cv_brier_tempered[]] | min) and ($e.cv_brier_tempered | to_entries | all(.value <= $e.cv_brier[.key] + 1e-12))' o/majority/model.json
check "and the report's CV accuracy and Brier score are the mean's" \
  jqt --slurpfile m o/majority/model.json '.cv_accuracy == $m[0].end_model.cv_accuracy_answer and .cv_brier == $m[0].end_model.cv_brier_answer and (.cv_brier | . >= 0 and . <= 2)' o/majority/report.json
check "the report scores AutoWS against all three baselines" \
  jqt '(.label_spreading.accuracy | type == "number") and (.self_training.accuracy | type == "number") and (.beats_all_baselines | type == "boolean") and (.cv_accuracy | type == "number")' o/majority/report.json
check "the end model's CV scored weak labels refitted without each fold's labels, and says which weight won" \
  jqt '.end_model.cv_weak_labels == "refitted per fold" and (.end_model.weak_weight | IN(0, 0.01, 0.1, 0.3))' o/majority/model.json
check "beats_all_baselines means one test row more than each baseline, and a tie is no win" \
  jqt '(.autows.accuracy * .autows.rows | round) as $a | .beats_all_baselines == ($a > (.supervised_baseline.accuracy * .autows.rows | round) and $a > (.label_spreading.accuracy * .label_spreading.rows | round) and $a > (.self_training.accuracy * .self_training.rows | round))' o/majority/report.json
check "ssl_baselines.json is written" jqt '.format == "autows-ssl/1"' o/ssl_baselines.json
eq "$(wc -l <o/majority/predictions.csv)" "$(wc -l <o/majority/probs.csv)" "predictions.csv has a row for every row"
low=$(for m in majority dawid_skene; do echo "$(jq -r .cv_brier "o/$m/report.json") $m"; done | sort -s -g -k1,1 | head -1 | cut -d' ' -f2)
check "summary.md names the label model chosen by CV, not by the test set: the lowest CV Brier score ($low)" \
  grep -q "^| $low (chosen) |" o/summary.md
kind=$(jq -r .end_model.kind o/majority/model.json) more=$(jq '.end_model.mean_with | length' o/majority/model.json)
check "summary.md's end model is the mean's heaviest member ($kind), its weight and how many more ($more)" \
  grep -Eq "^\| majority( \(chosen\))? \|[^|]*\|[^|]*\| $kind \(weight [01]\.[0-9]{2}\) \+ $more more \|" o/summary.md
run_weft run "$P" -p out="$T/lg" -p 'label_models=[majority]' -p end_model=logistic -p families=stump
expect_rc 0 "end_model and families are params"
eq "$(jq -r '.end_model.kind' lg/majority/model.json)" logistic "end_model=logistic is what runs"
eq "$(jq -r '[.lfs[].family] | unique | join(",")' lg/lfs.json)" stump "and families=stump gives stumps only"
check "in-sample, a stump looks at least as precise on its own rows as held out" \
  jqt '([.lfs[].labeled.precision] | add) >= ([.lfs[].held_out.precision] | add)' lg/lfs.json
run_weft run "$P" -p out="$T/lfg" -p 'label_models=[majority]' -p end_model=lf_graph -p families=stump
expect_rc 0 "end_model=lf_graph runs from the pipeline's lfs.json"
check "its model names the LFs' features, weighted by their held-out F-scores (the shares sum to 1)" \
  jqt '.end_model.kind == "lf_graph" and .metric == "lf_features" and (.feature_weights | length >= 1) and ((.feature_weights | add) - 1 | fabs < 1e-9)' lfg/majority/model.json
check "and only features some stump votes from" \
  jqt --slurpfile l lfg/lfs.json '(.feature_weights | keys) - ([$l[0].lfs[] | select(.held_out.fscore > 0) | .features[]] | unique) == []' lfg/majority/model.json
run_weft run "$P" -p out="$T/oof" -p 'label_models=[majority]' -p end_model=logistic -p families=stump -p lf_scoring=out_of_fold
expect_rc 0 "LF thresholds can be chosen out of fold"
check "and then the F-scores they were chosen by are the held-out ones" \
  jqt '.lfs | all(.[]; (.labeled.fscore - .held_out.fscore) | fabs < 1e-9)' oof/lfs.json

cp o/majority/probs.csv first.csv
run_weft run "$P" -p out="$T/o" -p 'label_models=[majority, dawid_skene]' --force
expect_rc 0 "a forced rerun"
check "reproduces the probabilistic labels bit for bit" cmp -s first.csv o/majority/probs.csv

cat >npy.lua <<'LUA'
local s = ops.autows.synth { name = "synth", rows = 2000 }
local d = ops.autows.load { name = "load", file = s, n_labels = 50 }
return ops.core.export { name = "export", artifact = d, path = weft.path("ds") }
LUA
run_weft run npy.lua
run_weft run "$P" -p npy="$T/ds" -p out="$T/n" -p n_labels=40 -p 'label_models=[majority]'
expect_rc 0 "a directory of X.npy and y.npy is a dataset too"
check "and gets its report" test -s n/majority/report.json

run_weft run "$P" -p out="$T/g" -p 'label_models=[majority]' -p gold_weight=1
expect_rc 0 "gold_weight is a param"
check "and changes the end model" bash -c '! cmp -s o/majority/model.json g/majority/model.json'

# A real dataset that Debian ships (python3-sklearn, installed by scripts/deps.sh).
bash "$WEFT_SRC/scripts/sklearn-csv.sh" breast_cancer bc.csv
eq "$(wc -l <bc.csv | tr -d " ")" 570 "sklearn-csv.sh writes breast cancer as 569 rows and a header"
run_weft run "$P" -p data="$T/bc.csv" -p out="$T/bc" -p 'label_models=[majority, dawid_skene]'
expect_rc 0 "the pipeline runs on the breast-cancer CSV"
check "its baseline and AutoWS both pass 0.9 test accuracy" \
  jqt '.supervised_baseline.accuracy > 0.9 and .autows.accuracy > 0.9' bc/majority/report.json
eq "$(head -1 bc/majority/probs.csv)" "row,split,votes,p_benign,p_malignant" "with the class names from the file"

# The split can be given (a column), and the seed and test share passed on.
awk -F, 'NR == 1 { print $0 ",split"; next } { s = NR % 10 == 0 ? "labeled" : NR % 5 == 0 ? "test" : "unlabeled"; print $0 "," s }' \
  bc.csv >bcs.csv
run_weft run "$P" -p data="$T/bcs.csv" -p split=split -p out="$T/bcs" -p 'label_models=[majority]'
expect_rc 0 "a given split (-p split=COLUMN) runs"
eq "$(grep -c ',labeled,' bcs/majority/probs.csv)" "$(grep -c ',labeled$' bcs.csv)" \
  "and keeps exactly the rows the column marks labeled"
run_weft run "$P" -p data="$T/bc.csv" -p seed=7 -p test_share=0.5 -p out="$T/bc7" -p 'label_models=[majority]'
expect_rc 0 "seed and test_share are params of the pipeline"
eq "$(grep -c ',test,' bc7/majority/probs.csv)" 284 "test_share 0.5 holds out half of the 569 rows"

printf 'a,b,label\n1,2,x\n3,NaN,y\n' >nan.csv
run_weft run "$P" -p data="$T/nan.csv" -p out="$T/bad"
expect_rc 1 "a NaN feature fails the run"
expect_err "file:3: feature 'b' is missing" "naming the line and the feature"
run_weft run "$P" -p out="$T/bad" -p n_labels=3
expect_rc 1 "fewer labels than classes fail"
expect_err "3 labels cannot cover 4 classes" "and say so"
printf 'a,label\n1,x\n2,y\n' >one.csv
run_weft run "$P" -p data="$T/one.csv" -p out="$T/bad" -p n_labels=5
expect_rc 1 "more labels than rows fail"
expect_err "too few for 5 labels" "with the counts"
finish
