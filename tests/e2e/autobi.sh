#!/bin/bash
# The autobi plugin end to end: a generated TPC-H-shaped folder of CSVs
# through pipelines/autobi.lua (per-table profiles, candidates, classifier,
# k-MCA, BI model), scored against the true joins; caching per table; a
# malformed CSV and an empty folder; a forced k; a Northwind-shaped schema
# its classifier was not trained on.
. "$(dirname "$0")/lib.sh"
: "${AUTOBI_EVAL:?set AUTOBI_EVAL to the autobi-eval harness}"
cd "$T"
P="$WEFT_SRC/pipelines/autobi.lua"

cat >gen.lua <<'LUA'
local shape = weft.param("shape", "tpch")
local seed = weft.param("seed", 1)
local out = weft.param("out", "x")
local s = ops.autobi.synth { name = "synth", shape = shape, seed = seed, rows = 6000 }
return ops.core.export { name = "export", artifact = s.out, path = out }
LUA
run_weft run gen.lua -p out="$T/tpch"
expect_rc 0 "autobi.synth writes a TPC-H-shaped schema"
eq "$(ls tpch/tables | tr '\n' ' ')" "customer.csv lineitem.csv nation.csv orders.csv part.csv partsupp.csv region.csv supplier.csv " \
  "the eight TPC-H tables"
eq "$(jq '.joins | length' tpch/truth.json)" "10" "with the ten TPC-H foreign keys"

run_weft run -j2 "$P" -p data="$T/tpch/tables" -p out="$T/model"
expect_rc 0 "pipelines/autobi.lua predicts the BI model"
check "candidates asks for 4 CPU slots, holds the pool's 2 (api->cpus) and searches on 2 threads" \
  grep -q 'pair search on 2 threads' "$(rec '.nodes[] | select(.name == "candidates") | .log')"
check "model.json is written" test -s model/model.json
check "model.dot is Graphviz" grep -q '^digraph bi_model {' model/model.dot
check "the DOT marks lineitem as the fact" grep -q '"lineitem" \[label="lineitem\\nfact' model/model.dot
eq "$(jq -r '.format' model/model.json)" "autobi-bi-model/1" "the model names its format"
eq "$(jq -r '.tables[] | select(.role == "fact") | .name' model/model.json)" "lineitem" "lineitem is the only fact"
eq "$(jq -r '.joins[] | select(.from_columns | length == 2) | "\(.from)(\(.from_columns | join(",")))->\(.to)(\(.to_columns | join(",")))"' model/model.json)" \
  "lineitem(l_partkey,l_suppkey)->partsupp(ps_partkey,ps_suppkey)" "the composite partsupp key is joined"
eq "$(jq -r '.joins[] | select(.from == "orders") | .cardinality' model/model.json)" "N:1" "orders -> customer is N:1"
"$AUTOBI_EVAL" score model/model.json tpch/truth.json >score.txt
f1=$(awk '{for (i = 1; i < NF; i++) if ($i == "f1") print $(i + 1)}' score.txt)
check "edge F1 on TPC-H is at least 0.95 (got $f1)" awk -v f="$f1" 'BEGIN { exit !(f >= 0.95) }'
eq "$(rec '.nodes[] | select(.name == "profile_lineitem") | .outputs.stats.rows')" "$(($(wc -l <tpch/tables/lineitem.csv) - 1))" \
  "the profile counts lineitem's rows"

run_weft run "$P" -p data="$T/tpch/tables" -p out="$T/model"
expect_rc 0 "a second run"
eq "$(rec '[.nodes[] | select(.op == "autobi.profile" and .cache == "hit")] | length')" "8" "reuses all eight profiles"
echo '5,ANTARCTICA,"new region"' >>tpch/tables/region.csv
run_weft run "$P" -p data="$T/tpch/tables" -p out="$T/model"
expect_rc 0 "a run after one table changed"
eq "$(rec '[.nodes[] | select(.op == "autobi.profile" and .executed) | .name] | join(",")')" "profile_region" \
  "reprofiles only the changed table"

check "and a summary a person reads: the fact, the roles, every join" \
  bash -c 'grep -q "^# Auto-BI model: 8 tables, 1 fact, " model/summary.md && grep -q "^| lineitem | fact |" model/summary.md &&
           test "$(grep -c "| tree |\|| constellation |\|| self |" model/summary.md)" = "$(jq ".joins | length" model/model.json)"'

# Table files whose names hold spaces, dots and other scripts are tables
# as they are (each is a node named after it).
mkdir -p odd && cp tpch/tables/region.csv "odd/Region Table.v2.csv" && cp tpch/tables/nation.csv "odd/Nation-Länder.csv"
run_weft run "$P" -p data="$T/odd" -p out="$T/m_odd"
expect_rc 0 "tables named 'Region Table.v2.csv' and 'Nation-Länder.csv'"
eq "$(jq -r '[.joins[] | "\(.from)->\(.to)"] | join(",")' m_odd/model.json)" "Nation-Länder->Region Table.v2" \
  "are joined by their names"

# A schema the classifier's trainer did not make: Northwind as its sample
# database has it ("Order Details.csv", ShipVia -> Shippers, a manager
# hierarchy in Employees.ReportsTo), from scripts/autobi-schemas.py.
python3 "$WEFT_SRC/scripts/autobi-schemas.py" "$T/nw" --seeds 1 --only northwind
run_weft run "$P" -p data="$T/nw/dev/northwind-s1/tables" -p out="$T/m_nw"
expect_rc 0 "a Northwind-shaped folder"
"$AUTOBI_EVAL" score m_nw/model.json nw/dev/northwind-s1/truth.json >score_nw.txt
f1=$(awk '{for (i = 1; i < NF; i++) if ($i == "f1") print $(i + 1)}' score_nw.txt)
check "edge F1 on Northwind is at least 0.95 (got $f1)" awk -v f="$f1" 'BEGIN { exit !(f >= 0.95) }'
eq "$(jq -r '.joins[] | select(.kind == "self") | "\(.from)(\(.from_columns[0]))->\(.to_columns[0])"' m_nw/model.json)" \
  "Employees(ReportsTo)->EmployeeID" "the manager hierarchy is a self join"
eq "$(jq -r '[.tables[] | select(.role == "fact") | .name] | sort | join(",")' m_nw/model.json)" \
  "$(jq -r '.facts | join(",")' nw/dev/northwind-s1/truth.json)" "the facts are the true ones"
eq "$(jq -r '.joins[] | select(.from_columns == ["ShipVia"]) | .to' m_nw/model.json)" "Shippers" \
  "a role-named key with no name evidence (ShipVia) finds its table"

mkdir bad && cp tpch/tables/region.csv tpch/tables/nation.csv bad/
printf 'a,b\n1,2\n3,4,5\n' >bad/broken.csv
run_weft run "$P" -p data="$T/bad" -p out="$T/m2"
expect_rc 1 "a malformed CSV fails the run"
expect_err "broken.csv:3: row has 3 fields but the header has 2" "its error names the file and the line"
check "no model is written from a failed run" test ! -e m2/model.json

mkdir empty
run_weft run "$P" -p data="$T/empty" -p out="$T/m3"
expect_rc 1 "an empty folder fails"
expect_err "has no .csv files" "and says what it expected"

run_weft run gen.lua -p shape=constellation -p seed=3 -p out="$T/con"
run_weft run "$P" -p data="$T/con/tables" -p out="$T/m4" -p k=3
expect_rc 0 "k can be forced"
eq "$(rec '.nodes[] | select(.name == "kmca") | .outputs.k')" "3" "k-MCA returns exactly k root children"
run_weft run "$P" -p data="$T/con/tables" -p out="$T/m5" -p k=1
expect_rc 1 "an impossible k fails"
expect_err "no arborescence has exactly k = 1 facts" "and explains why"
finish
