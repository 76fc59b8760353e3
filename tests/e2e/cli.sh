#!/bin/bash
# The CLI surface: --help everywhere, plan with reasons, graph, status,
# log, ops, cache stats and gc.
. "$(dirname "$0")/lib.sh"
for c in run resume plan graph status log ops cache; do
  run_weft $c --help
  expect_rc 0 "weft $c --help"
  expect_out "usage: weft $c" "weft $c --help prints usage"
done
run_weft --help; expect_rc 0 "weft --help"
run_weft --version; expect_out "plugin ABI 1." "weft --version names the ABI"

cp -r "$WEFT_SRC/examples/quickstart" "$T/qs"
P="$T/qs/quickstart.lua"
run_weft plan "$P"
expect_rc 0 "plan on a fresh store"
expect_out "6 nodes: 6 would run, 0 cached" "plan: everything would run at first"
check "plan executed nothing" [ ! -d "$WEFT_STORE/runs" ]
run_weft run -q "$P"
run_weft plan "$P" -p min_units=10
expect_out "6 nodes: 5 would run, 1 cached" "plan after a param change"
expect_out "param 'cmd' changed" "plan gives the reason"
expect_out "upstream node 'filter' would run" "plan names the upstream cause"

run_weft graph "$P"
expect_rc 0 "graph"
expect_out "digraph weft" "graph prints DOT"
eq "$(grep -c -- "->" "$T/out")" 7 "graph has one edge per dependency (load, 3 counts, report)"

run_weft status
expect_out "ok" "status lists the run"
run_weft show
expect_out "filter" "show prints a per-node table"
run_weft log
expect_out "/quickstart.lua" "log lists the runs"
run_weft ops
expect_out "core.shell" "ops lists core.shell"
expect_out "param  cmd" "ops lists parameters"
run_weft ops core.csv
expect_out "delimiter" "ops OP shows one op"

run_weft cache stats
expect_out "objects:" "cache stats"
BEFORE=$(du -sb "$WEFT_STORE/objects" | cut -f1)
# A second pipeline state makes objects the newest run does not use.
run_weft run -q "$P" -p min_units=10
run_weft cache gc --max-size 0
expect_rc 0 "cache gc"
expect_out "protected by the newest runs" "gc reports protected objects"
run_weft run -q "$P" -p min_units=10
eq "$(rec .counts.executed)" 0 "gc kept everything the newest run needs"
run_weft run -q "$P"
check "older results were collected, so the old state recomputes" [ "$(rec .counts.executed)" -gt 0 ]
run_weft cache gc
expect_rc 2 "cache gc without --max-size is a usage error"
# ---- results out of the store, dry runs, params, flags and settings
mkdir -p "$T/res" && cd "$T/res"
cat > out.lua <<'LUA'
local n = weft.param("n", 3, "how many lines")
local f = ops.core.shell { name = "lines", cmd = "seq 1 " .. n .. " > $out", outs = { "txt" } }
local d = ops.core.shell { name = "tree", cmd = "mkdir -p $out/sub && echo a > $out/a && echo b > $out/sub/b", outs = { "d/" } }
local v = ops.core.value { name = "meta", value = { n = n, tag = "x" } }
return ops.core.concat { name = "both", items = { f.out, f.out }, sep = "" }
LUA
run_weft run -q out.lua
expect_rc 0 "a pipeline with a file, a directory and a value runs"
run_weft cat lines
eq "$(cat "$T/out")" "$(seq 1 3)" "weft cat NODE prints the file's bytes"
run_weft cat lines.out
eq "$(cat "$T/out")" "$(seq 1 3)" "weft cat NODE.OUTPUT names the output"
run_weft cat both
eq "$(cat "$T/out" | wc -l)" "6" "weft cat of a list of files prints them in order"
run_weft cat meta
check "weft cat of a value prints its JSON" sh -c "jq -e '.n == 3 and .tag == \"x\"' '$T/out' >/dev/null"
run_weft cat tree
expect_rc 2 "weft cat of a directory is refused"
expect_err "weft export tree DEST" "pointing at export"
run_weft export tree "$T/res/tree-out"
eq "$(cat "$T/res/tree-out/sub/b")" "b" "weft export copies a directory whole"
run_weft export lines "$T/res/lines.txt"
eq "$(cat "$T/res/lines.txt")" "$(seq 1 3)" "weft export copies a file"
FIRST=$(rec .id)
run_weft run -q out.lua -p n=5
run_weft cat "$FIRST" lines
eq "$(cat "$T/out" | wc -l)" "3" "weft cat RUN NODE reads that run's output, not the newest"
run_weft cat lins
expect_rc 2 "a misspelt node is refused"
expect_err "did you mean 'lines'" "with a suggestion"
run_weft cat lines.nope
expect_err "its outputs:" "a missing output lists the node's outputs"

run_weft run -n out.lua -p n=7
expect_rc 0 "weft run -n is a dry run"
expect_out "would run" "it prints the plan"
eq "$(rec '.params.n')" "5" "and writes no run"
run_weft run --dry-run out.lua -p n=7
expect_out "would run" "--dry-run too"

run_weft params out.lua -p n=9
expect_out "how many lines" "weft params lists the doc string"
check "with the type, default and value" grep -qE '^n +int +3 +9 ' "$T/out"
run_weft params out.lua --json
check "weft params --json" sh -c "jq -e '.n.default == 3 and .n.type == \"int\"' '$T/out' >/dev/null"

run_weft run out.lua --froce
expect_rc 2 "an unknown flag is a usage error"
expect_err "unknown option '--froce' for \`weft run\` (did you mean '--force'?)" "naming the command, with a suggestion"
run_weft run out.lua --store
expect_err "option '--store' of \`weft run\` needs a value" "a flag without its value says so"

printf 'return ops.core.shell { name = "bad", cmd = "exit 3" }\n' > bad.lua
run_weft run -q bad.lua
run_weft show
eq "$(grep -o '/logs/bad.log' "$T/out" | wc -l)" "1" "weft show names a failed node's log once"

cat > json.lua <<'LUA'
local t = weft.json.decode('{"a": [1, 2.5, "x"], "b": {"c": true}, "n": null}')
assert(t.a[1] == 1 and t.a[2] == 2.5 and t.a[3] == "x" and t.b.c == true and t.n == nil, "decoded wrong")
local list = ops.core.shell { name = "ls", cmd = "printf '[\"p\",\"q\"]' > $out", outs = { "l.json" } }
local fan = weft.fn { name = "fan", inputs = { l = list.out }, function(inp)
  local outs = {}
  for i, n in ipairs(weft.json.decode(weft.read(inp.l))) do
    outs[i] = ops.core.shell { name = "echo_" .. n, cmd = "echo " .. n, capture_stdout = true }.stdout
  end
  return outs
end }
return ops.core.concat { name = "res", items = { weft.json.encode(t), fan }, sep = "" }
LUA
run_weft plan json.lua
expect_out "upstream node 'ls' would run; the nodes it adds are unknown until run time" \
  "plan says a dynamic node's additions are unknown while its inputs are not cached"
run_weft run -q json.lua
expect_rc 0 "weft.json.decode reads what a dynamic node fans out over"
expect_out 'res = ["{\"a\":[1,2.5,\"x\"],\"b\":{\"c\":true}}","p","q"]' "and weft.json.encode writes compact JSON"
run_weft plan json.lua
expect_out "expanded fan" "plan expands a dynamic node once its inputs are cached"
expect_out "cached   echo_q" "showing the nodes it adds"
printf 'return weft.json.decode("{nope")\n' > badjson.lua
run_weft run -q badjson.lua
expect_rc 2 "bad JSON is a script error"
expect_err "badjson.lua:1: weft.json.decode: not JSON" "naming the line"

cat > targets.lua <<'LUA'
local a = ops.core.shell { name = "a", cmd = "echo a > $out", outs = { "t" } }
local b = ops.core.shell { name = "b", x = a.out, cmd = "cat $x > $out; echo b >> $out", outs = { "t" } }
local c = ops.core.shell { name = "c", cmd = "echo c > $out", outs = { "t" } }
local d = weft.fn { name = "d", inputs = { x = c.out }, function(inp)
  return ops.core.shell { name = "d_child", y = inp.x, z = a.out, cmd = "cat $y $z > $out", outs = { "t" } }.out
end }
return ops.core.concat { name = "all", items = { b.out, d }, sep = "" }
LUA
run_weft run targets.lua b --store "$T/tstore"
expect_rc 0 "weft run p.lua NODE runs a target"
eq "$(jq -r '[.nodes[] | select(.status == "done") | .name] | sort | join(",")' "$(ls -d "$T"/tstore/runs/*/ | tail -1)record.json")" "a,b" \
  "only the target and what it needs ran"
expect_err "3 other nodes stayed pending" "the others stayed pending, and it says so"
run_weft run targets.lua --until d --store "$T/tstore"
eq "$(jq -r '[.nodes[] | select(.status == "done") | .name] | sort | join(",")' "$(ls -d "$T"/tstore/runs/*/ | tail -1)record.json")" "c,d_child" \
  "--until NODE runs what a dynamic node adds, and pulls in what that depends on (a, cached)"
run_weft run targets.lua --force=a,c --store "$T/tstore"
eq "$(jq -r '[.nodes[] | select(.status == "done") | .name] | sort | join(",")' "$(ls -d "$T"/tstore/runs/*/ | tail -1)record.json")" "a,all,c" \
  "--force=a,c runs those two again (and the new node all)"
# A run with targets and --force, killed, resumes with both: the forced
# node that finished before the kill is kept, the one it cut short runs
# again, and what the target does not need stays pending.
cat > slowt.lua <<'LUA'
local a = ops.core.shell { name = "a", cmd = "echo a > $out", outs = { "t" } }
local s = ops.core.shell { name = "s", x = a.out, cmd = "sleep 3; cat $x > $out", outs = { "t" } }
local o = ops.core.shell { name = "o", cmd = "echo o > $out", outs = { "t" } }
return ops.core.concat { name = "all", items = { s.out, o.out }, sep = "" }
LUA
run_weft run -q slowt.lua --store "$T/fstore"
setsid "$WEFT" run -q slowt.lua s --force=a,s --store "$T/fstore" >/dev/null 2>&1 &
fpid=$!
for _ in $(seq 1 100); do
  sleep 0.05
  grep -q '"ev":"start".*"node":"s"' "$(ls -d "$T"/fstore/runs/*/ | tail -1)journal" 2>/dev/null && break
done
sleep 0.3
kill -9 -- -$fpid 2>/dev/null; wait $fpid 2>/dev/null
run_weft resume --store "$T/fstore"
expect_rc 0 "a targeted, forced run killed mid-way resumes"
frec="$(ls -d "$T"/fstore/runs/*/ | tail -1)record.json"
eq "$(jq -r '[.nodes[] | "\(.name)=\(.status)"] | sort | join(",")' "$frec")" "a=resumed,all=pending,o=pending,s=done" \
  "with its targets and --force: a kept from before the kill, s forced again, o and all not needed"
run_weft run targets.lua bb --store "$T/tstore"
expect_rc 2 "an unknown target is refused"
expect_err "target 'bb' is not a node of this pipeline (did you mean 'b'?)" "with a suggestion"

PS="$T/prunestore"
for i in 1 2 3 4; do run_weft run -q out.lua -p n=$i --store "$PS"; done
OLDEST=$(ls "$PS/runs" | sort | head -1)
SECOND=$(ls "$PS/runs" | sort | sed -n 2p)
rm "$PS/runs/$SECOND/record.json"   # as if killed: resumable
run_weft cache gc --keep-runs 1 --store "$PS"
expect_rc 0 "cache gc --keep-runs"
expect_out "2 runs removed, 1 kept, 1 unfinished runs kept" "it says what it removed and kept"
check "the oldest finished run is gone" [ ! -d "$PS/runs/$OLDEST" ]
check "the unfinished one stays, to be resumed" [ -d "$PS/runs/$SECOND" ]
eq "$(ls "$PS/runs" | wc -l)" "2" "the newest finished run and the unfinished one are left"
run_weft cache gc --keep-runs 0 --max-size 0 --store "$PS"
expect_out "objects removed" "--keep-runs and --max-size go together"

# comp WORDS...: what the bash completion offers for the last word
comp() { bash -c 'source <("$WEFT" completion bash) || exit 1; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _weft; echo "${COMPREPLY[*]}"' _ "$@"; }
eq "$(comp weft ru)" "run" "bash completion: commands"
eq "$(comp weft run --exe)" "--executor" "bash completion: a command's options"
eq "$(comp weft run --executor s)" "slurm" "bash completion: --executor's values"
check "bash completion: pipeline scripts after run" sh -c "cd '$T/res' && [ \"\$(WEFT='$WEFT' bash -c 'source <(\"\$WEFT\" completion bash); COMP_WORDS=(weft run out); COMP_CWORD=2; _weft; echo \"\${COMPREPLY[*]}\"')\" = out.lua ]"
run_weft completion zsh
expect_out "#compdef weft" "weft completion zsh"
expect_out "'export:copy a node" "zsh completion describes each command"

run_weft plan out.lua --json -p n=11
check "weft plan --json: a list of nodes with their plan and reason" sh -c "jq -e '[.[] | select(.node == \"lines\")][0] | .plan == \"run\" and (.reason | length > 0)' '$T/out' >/dev/null"
run_weft ops core.shell --json
check "weft ops --json: the op's params as data" sh -c "jq -e '.[0].name == \"core.shell\" and ([.[0].params[].name] | index(\"cmd\") != null)' '$T/out' >/dev/null"
run_weft log --json -n 2
check "weft log --json: runs with status and commit" sh -c "jq -e 'length == 2 and (.[0] | has(\"status\") and has(\"commit\"))' '$T/out' >/dev/null"

cat > weft.yaml <<'Y'
resources: {cpus: 2}
profiles:
  big: {resources: {cpus: 6}, workers: {grace: 3s}}
Y
run_weft resources .
expect_out "cpus     2" "without a profile, the top level holds"
WEFT_PROFILE=big run_weft resources .
expect_out "cpus     6" "WEFT_PROFILE applies a profile's pools"
expect_out "grace 3s" "and its worker settings"
run_weft run -q out.lua --profile nope
expect_rc 2 "an unknown profile is refused"
expect_err "no profile 'nope' (profiles: big)" "listing the profiles"
run_weft run -q out.lua --profile big
expect_rc 0 "weft run --profile NAME"
rm weft.yaml

mkdir -p texts
printf 'a b c\n' > texts/one.txt
printf 'd e\n' > "texts/Order Details.txt"
cat > glob.lua <<'LUA'
local files = weft.glob("texts/*.txt")
return weft.map(files, function(f)
  return ops.core.shell { name = "count_" .. weft.slug(f.name), doc = f.file, cmd = 'wc -w < "$doc"', capture_stdout = true }.stdout
end, { name = "counts" })
LUA
run_weft run glob.lua
expect_rc 0 "weft.glob fans out over the files a pattern matches at run time"
expect_out 'counts = ["2","3"]' "in sorted order, one node per file"
check "weft.slug makes a node name of a file name with a space and a dot" \
  sh -c "jq -e '[.nodes[].name] | index(\"count_Order_Details_txt\") != null' '$(latest_record)' >/dev/null"
# examples/wordcount: seven lines of pipeline; a new file counts only itself.
cp -r "$WEFT_SRC/examples/wordcount" "$T/wc"
run_weft run -q "$T/wc/wordcount.lua" -o "$T/wc_out"
expect_rc 0 "examples/wordcount runs"
eq "$(cat "$T/wc_out/counts.tsv")" "$(cd "$T/wc/texts" && for f in *.txt; do printf '%s\t%s\n' "$f" "$(wc -w < "$f")"; done)" \
  "its table has every file's name and word count"
printf 'one two\n' > "$T/wc/texts/new one.txt"
run_weft run "$T/wc/wordcount.lua" -o "$T/wc_out"
eq "$(grep -c '^\[[0-9/]*\] done     new one.txt' "$T/err")" 1 "a new file is counted by a node named after it"
eq "$(grep -Ec '^\[[0-9/]*\] done     doc [0-9].txt' "$T/err")" 0 "and the other files are not counted again"

# File names are node names as they are: dots, spaces, any script.
cat > names.lua <<'LUA'
local function count(name)
  return ops.core.shell { name = name, doc = weft.file("texts/" .. name), cmd = 'wc -w < "$doc"', capture_stdout = true }
end
count("Order Details.txt")
count("one.txt")
local counts = ops.core.shell { name = "Zählung", cmd = "echo 3", capture_stdout = true }.stdout
local tot = ops.core.shell { name = "total.sum", cmd = "echo $a+$b; echo summed >&2", a = weft.ref("Order Details.txt.stdout"),
                             b = weft.ref("one.txt", "stdout"), capture_stdout = true }
return { counts = counts, total = tot.stdout }
LUA
run_weft run -q names.lua
expect_rc 0 "node names with dots, spaces and UTF-8"
expect_out '"total":"2+3"' "weft.ref finds a dotted name's output, and takes a name whole with the output apart"
check "a node's log is named after it" \
  sh -c "find '$WEFT_STORE/runs' -name 'total.sum.log' | xargs grep -qx summed"
run_weft cat "Order Details.txt.stdout"
eq "$(cat "$T/out")" '"2"' "weft cat NODE.OUTPUT with a dotted node name"
run_weft cat one.txt --output stdout
eq "$(cat "$T/out")" '"3"' "and --output names the output apart"
run_weft cat Zählung.stdout
expect_out '"3"' "a UTF-8 name"
printf 'return ops.core.value { name = "bad~name", value = 1 }\n' > badname.lua
run_weft run -q badname.lua
expect_rc 2 "a name with '~' is refused"
expect_err "invalid node name; a name is 1-200 bytes of UTF-8 text" "saying what a name may be"
printf 'x y z w\n' > texts/new.txt
run_weft run glob.lua
expect_out 'counts = ["2","4","3"]' "a new file is seen by the next run"
eq "$(rec .counts.cached)" "2" "the files that did not change are cached"
cat > noglob.lua <<'LUA'
return weft.glob("texts/*.nope")
LUA
run_weft run noglob.lua
expect_rc 1 "a pattern that matches nothing fails the node"
expect_err "nothing matches" "saying so"

run_weft run -q targets.lua --store "$T/gstore"
run_weft graph --run --store "$T/gstore"
expect_out '"d" [label="d\ndynamic\nexpanded", fillcolor=khaki, shape=diamond]' "weft graph --run colours each node by its status"
expect_out '"d_child" [label="d_child\ncore.shell\ndone", fillcolor=palegreen]' "and shows what dynamic nodes added"
expect_out '"d" -> "d_child" [style=dashed]' "tied to the dynamic node that added it"
run_weft graph --run --format json --store "$T/gstore"
check "weft graph --run --format json: status, deps and parent per node" \
  sh -c "jq -e '[.[] | select(.name == \"d_child\")][0] | .status == \"done\" and .parent == \"d\" and (.deps | index(\"a\") != null)' '$T/out' >/dev/null"
run_weft graph targets.lua --format json
check "weft graph PIPELINE --format json: the script's graph" \
  sh -c "jq -e '[.[] | select(.name == \"b\")][0] | .deps == [\"a\"] and .op == \"core.shell\" and .source == \"targets.lua:2\"' '$T/out' >/dev/null"

run_weft resources . --json
check "weft resources --json: pools with capacity and source" \
  sh -c "jq -e '(.pools | map(.name) | index(\"cpus\") != null) and .isolate == \"plugins\"' '$T/out' >/dev/null"
run_weft status --json -n 2
check "weft status --json: runs with status and counts" \
  sh -c "jq -e 'length == 2 and (.[0].counts.total | type == \"number\")' '$T/out' >/dev/null"
printf 'return ops.core.shell { name = "slow", cmd = "sleep 3" }\n' > slow.lua
"$WEFT" run -q slow.lua >/dev/null 2>&1 &
spid=$!
for _ in $(seq 100); do ls "$WEFT_STORE"/runs/*/live.json >/dev/null 2>&1 && break; sleep 0.05; done
LIVE=$(basename "$(dirname "$(ls "$WEFT_STORE"/runs/*/live.json | head -1)")")
for _ in $(seq 60); do
  run_weft status --json "$LIVE"
  jq -e '.[0].live.running | length == 1' "$T/out" >/dev/null 2>&1 && break
  sleep 0.05
done
check "weft status --json RUN of a live run carries its live view" \
  sh -c "jq -e '.[0].live.running[0].node == \"slow\"' '$T/out' >/dev/null"
kill -INT $spid; wait $spid 2>/dev/null

printf 'local a = ops.core.shell { name = "slow_one", cmd = "sleep 1.2" }\nlocal b = ops.core.shell { name = "slow_two", cmd = "sleep 1.1" }\nreturn ops.core.concat { items = { a.stdout, b.stdout } }\n' > two.lua
if command -v script >/dev/null; then
  # the progress line is drawn on a terminal only: script(1) gives weft one
  script -qfc "'$WEFT' run two.lua --store '$T/ttystore'" /dev/null > "$T/tty.out" 2>&1
  check "on a terminal, the progress line names the running nodes" grep -aq "(slow_one, slow_two)" "$T/tty.out"
fi

run_weft ops --lua-stubs
expect_out "---@meta weft" "weft ops --lua-stubs writes LuaLS stubs"
expect_out "---@field cmd string command line" "with each op's params typed (core.shell's cmd is required)"
expect_out "---@field outs? table" "optional params marked optional"
expect_out "---@field timeout? string|number" "the node options"
expect_out 'ops["core"]["shell"] = function(args) end' "and a constructor per op"
expect_out "function weft.glob(pattern, opts) end" "and the verbs written in Lua"
if command -v luac5.4 >/dev/null; then
  check "the stubs are valid Lua" luac5.4 -p "$T/out"
fi

printf 'jobs: 4\n' > weft.yaml
run_weft run -q out.lua
expect_rc 2 "an unknown weft.yaml setting is refused"
expect_err "unknown setting 'jobs'" "naming it"
expect_err "resources: {cpus: N}" "and what to write instead"
printf 'resorces: {cpus: 2}\n' > weft.yaml
run_weft run -q out.lua
expect_err "did you mean 'resources'" "a misspelt setting gets a suggestion"
rm weft.yaml
finish
